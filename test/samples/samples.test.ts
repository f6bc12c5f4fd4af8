import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../shared/config/parse';
import type { InputName } from '../../shared/config/inputNames';
import { repoRoot } from '../../testkit/repoRoot';
import { checkPipeline } from './pipelineChecks';
import { IMPLICIT, readPipeline, type PipelineModel, type StepModel } from './pipelineModel';
import { loadTaskCatalog, type CatalogTask } from './taskCatalog';

const samplesDir = path.join(repoRoot, 'samples');
const catalog = loadTaskCatalog();
const sampleFiles = fs.readdirSync(samplesDir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')).sort();

function load(file: string): PipelineModel {
  return readPipeline(fs.readFileSync(path.join(samplesDir, file), 'utf8'));
}

function steps(p: PipelineModel): Array<{ stage: string; job: string; step: StepModel }> {
  return p.stages.flatMap((s) => s.jobs.flatMap((j) => j.steps.map((step) => ({ stage: s.name, job: j.name, step }))));
}

/** Values a step's `$(x)` macros take: pipeline, stage and job variables plus predefined ones a run would have. */
function expandStepInputs(p: PipelineModel, stageName: string, jobName: string, step: StepModel): Record<string, string> {
  const stage = p.stages.find((s) => s.name === stageName);
  const job = stage?.jobs.find((j) => j.name === jobName);
  const vars = new Map<string, string>([['build.sourceversion', '3f1c2a9e0b7d'], ['build.buildid', '42']]);
  for (const source of [p.variables, stage?.variables, job?.variables]) for (const [k, v] of source ?? []) vars.set(k.toLowerCase(), v);
  // A variable's value may itself use $(other) variables; Azure Pipelines expands those too.
  const expand = (text: string): string => {
    for (let depth = 0; depth < 10; depth++) {
      const next = text.replace(/\$\(([\w.]+)\)/g, (whole, name: string) => vars.get(name.toLowerCase()) ?? whole);
      if (next === text) return next;
      text = next;
    }
    return text;
  };
  return Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, expand(String(v))]));
}

/** Input values by input name, as the agent hands them to the task (aliases resolved). */
function byInputName(task: CatalogTask, inputs: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(inputs)) values.set(task.inputNames.get(key.toLowerCase()) as string, value);
  return values;
}

describe('samples', () => {
  it('include the gated multi-stage pipeline, the pull-request preflight and the local demo', () => {
    for (const f of ['multi-stage-gated.yml', 'pull-request-preflight.yml', 'local-demo.yml', 'scheduled-patch.yml', 'build-validate-promote.yml']) {
      assert.ok(sampleFiles.includes(f), f);
    }
  });

  for (const file of sampleFiles) {
    describe(file, () => {
      it('parses as YAML and references only stages, jobs, steps, outputs, tasks and inputs that exist', () => {
        const { problems } = checkPipeline(load(file), catalog);
        assert.deepEqual(problems, []);
      });

      it('gives every Image Builder step inputs the task accepts', () => {
        const p = load(file);
        const task = catalog.get('azureimagebuilder@1') as CatalogTask;
        const builderSteps = steps(p).filter((s) => s.step.task?.toLowerCase() === 'azureimagebuilder@1');
        for (const { stage, job, step } of builderSteps) {
          const values = byInputName(task, expandStepInputs(p, stage, job, step));
          const result = parseConfig((name: InputName) => values.get(name), { teamProject: 'samples', buildId: '42', jobAttempt: '1', workingDirectory: repoRoot }, {});
          assert.ok(result.ok, `${file} step ${step.name ?? step.index}: ${JSON.stringify(result.ok ? [] : result.problems)}`);
        }
      });
    });
  }

  describe('multi-stage-gated.yml', () => {
    const p = load('multi-stage-gated.yml');
    const stage = (name: string) => p.stages.find((s) => s.name === name);

    it('builds, verifies and deploys in that order', () => {
      assert.deepEqual(p.stages.map((s) => s.name), ['Build', 'Verify', 'Deploy']);
      assert.deepEqual(stage('Verify')?.dependsOn, ['Build']);
      assert.deepEqual([...(stage('Deploy')?.dependsOn ?? [])].sort(), ['Build', 'Verify']);
    });

    it('bakes the image in a named step with build artifacts and a script', () => {
      const bake = steps(p).find((s) => s.step.name === 'bake');
      assert.equal(bake?.stage, 'Build');
      assert.equal(bake?.step.task, 'AzureImageBuilder@1');
      assert.equal(bake?.step.inputs.packagePath, 'samples/app');
      assert.ok(fs.statSync(path.join(repoRoot, String(bake?.step.inputs.packagePath))).isDirectory());
      assert.match(String(bake?.step.inputs.inlineScript), /install\.sh/);
      assert.equal(bake?.step.inputs.distributeType, 'sharedImageGallery');
    });

    it('checks the version in a server job, on the Build output mapped through stageDependencies', () => {
      const verify = stage('Verify');
      const job = verify?.jobs[0];
      assert.equal(job?.server, true, 'Verify runs in a pool: server job');
      const check = job?.steps.find((s) => s.task === 'AzureImageVersionCheck@1');
      assert.ok(check, 'Verify runs AzureImageVersionCheck@1');
      const macro = /^\$\((\w+)\)$/.exec(String(check.inputs.galleryImageVersionId));
      assert.ok(macro, 'galleryImageVersionId is passed as a variable');
      const mapped = verify?.variables.get(macro[1] as string) ?? job?.variables.get(macro[1] as string);
      assert.match(String(mapped), /^\$\[\s*stageDependencies\.Build\.BakeImage\.outputs\['bake\.galleryImageVersionId'\]\s*\]$/);
    });

    it('deploys only after Verify succeeded, with the version from the Build outputs', () => {
      const deploy = stage('Deploy');
      assert.match(String(deploy?.condition), /eq\(dependencies\.Verify\.result, 'Succeeded'\)/);
      assert.match(String(deploy?.condition), /^and\(succeeded\(\),/);
      assert.match(String(deploy?.variables.get('imageVersionId')), /stageDependencies\.Build\.BakeImage\.outputs\['bake\.galleryImageVersionId'\]/);
    });

    it('resolves each output reference to a declared output of the bake step', () => {
      const { references } = checkPipeline(p, catalog);
      const seen = references.map((r) => `${r.at} -> ${r.stage}.${r.job}.${r.step}.${r.output}`).sort();
      assert.deepEqual(seen, [
        'stage Deploy condition -> Build.BakeImage.bake.galleryImageVersionId',
        'stage Deploy variable imageVersion -> Build.BakeImage.bake.galleryImageVersion',
        'stage Deploy variable imageVersionId -> Build.BakeImage.bake.galleryImageVersionId',
        'stage Verify variable galleryImageVersionId -> Build.BakeImage.bake.galleryImageVersionId',
      ]);
    });
  });

  describe('pull-request-preflight.yml', () => {
    const p = load('pull-request-preflight.yml');
    it('runs on pull requests only and stops after the preflight', () => {
      assert.equal(p.raw.trigger, 'none');
      assert.ok(p.raw.pr, 'has a pr trigger');
      const [only] = steps(p);
      assert.equal(only?.step.task, 'AzureImageBuilder@1');
      assert.equal(only?.step.inputs.preflightOnly, true);
    });
  });

  describe('scheduled-patch.yml', () => {
    const p = load('scheduled-patch.yml');
    const stage = (name: string) => p.stages.find((s) => s.name === name);
    const skippedTest = /ne\(dependencies\.Patch\.outputs\['BakeImage\.bake\.buildSkipped'\], 'true'\)/;

    it('runs nightly on a schedule, also when the repository did not change, and not on pushes', () => {
      const schedules = p.raw['schedules'] as Array<Record<string, unknown>>;
      assert.equal(schedules.length, 1);
      assert.match(String(schedules[0]?.['cron']), /^\S+ \S+ \* \* \*$/, 'daily cron');
      assert.equal(schedules[0]?.['always'], true);
      assert.equal(p.raw['trigger'], 'none');
    });

    it('bakes with skipUnchanged in a named step', () => {
      const bake = steps(p).find((s) => s.step.name === 'bake');
      assert.equal(bake?.step.task, 'AzureImageBuilder@1');
      assert.equal(bake?.step.inputs.skipUnchanged, true);
      assert.equal(bake?.stage, 'Patch');
    });

    it('runs every later stage only when a build happened, judged by buildSkipped', () => {
      const later = p.stages.filter((s) => s.name !== 'Patch');
      assert.deepEqual(later.map((s) => s.name), ['Verify', 'Publish']);
      for (const s of later) {
        assert.match(String(s.condition), skippedTest, s.name);
        assert.match(String(s.condition), /^and\(succeeded\(\),/, s.name);
      }
      assert.match(String(stage('Publish')?.condition), /eq\(dependencies\.Verify\.result, 'Succeeded'\)/);
      const { references } = checkPipeline(p, catalog);
      assert.ok(references.some((r) => r.at === 'stage Publish condition' && r.output === 'buildSkipped'), JSON.stringify(references));
    });
  });

  describe('build-validate-promote.yml', () => {
    const p = load('build-validate-promote.yml');
    const stage = (name: string) => p.stages.find((s) => s.name === name);
    const fromBuild = /^\$\[\s*stageDependencies\.Build\.BakeImage\.outputs\['bake\.galleryImageVersionId'\]\s*\]$/;

    it('builds, validates, promotes and deploys in that order', () => {
      assert.deepEqual(p.stages.map((s) => s.name), ['Build', 'Validate', 'Promote', 'Deploy']);
      assert.deepEqual([...(stage('Promote')?.dependsOn ?? [])].sort(), ['Build', 'Validate']);
      assert.deepEqual(stage('Deploy')?.dependsOn, ['Promote']);
    });

    it('builds a version excluded from latest', () => {
      const bake = steps(p).find((s) => s.step.name === 'bake');
      assert.equal(bake?.stage, 'Build');
      assert.equal(bake?.step.inputs.excludeFromLatest, true);
    });

    it('validates the exact version: the gate and a VM booted from the galleryImageVersionId output', () => {
      const validate = stage('Validate');
      assert.match(String(validate?.variables.get('galleryImageVersionId')), fromBuild);
      const check = validate?.jobs.flatMap((j) => j.steps).find((s) => s.task === 'AzureImageVersionCheck@1');
      assert.equal(check?.inputs.galleryImageVersionId, '$(galleryImageVersionId)');
      const smoke = validate?.jobs.find((j) => j.name === 'SmokeTest')?.steps[0];
      assert.match(String(smoke?.inputs.inlineScript), /--image "\$\(galleryImageVersionId\)"/);
    });

    it('promotes in a deployment job on an environment (where the approval sits), after validation, with the exact version', () => {
      const promote = stage('Promote');
      assert.match(String(promote?.condition), /eq\(dependencies\.Validate\.result, 'Succeeded'\)/);
      assert.match(String(promote?.variables.get('galleryImageVersionId')), fromBuild);
      const job = promote?.jobs[0];
      assert.equal(job?.environment, 'golden-images');
      const step = job?.steps.find((s) => s.task === 'AzureImageVersionPromote@1');
      assert.deepEqual(step?.inputs, { azureSubscription: '$(azureSubscription)', galleryImageVersionId: '$(galleryImageVersionId)', action: 'promote' });
    });

    it('deploys with latest: the image definition id, no version', () => {
      const script = String(stage('Deploy')?.jobs[0]?.steps[0]?.inputs.inlineScript);
      assert.match(script, /imageReference\.id="\$\(galleryImageDefinition\)"/);
      assert.doesNotMatch(String(p.variables.get('galleryImageDefinition')), /\/versions\//);
    });
  });

  describe('local-demo.yml', () => {
    const p = load('local-demo.yml');
    it('is a single Image Builder step distributing samples/app to a gallery', () => {
      const all = steps(p);
      assert.equal(all.length, 1);
      const [{ stage, job, step }] = all as [{ stage: string; job: string; step: StepModel }];
      assert.equal(stage, IMPLICIT);
      assert.equal(job, IMPLICIT);
      assert.equal(step.task, 'AzureImageBuilder@1');
      assert.equal(step.inputs.packagePath, 'samples/app');
      assert.equal(step.inputs.distributeType, 'sharedImageGallery');
    });
  });

  describe('samples/app', () => {
    const app = path.join(samplesDir, 'app');
    it('is a small shell web app with a README, an executable install script and its files', () => {
      for (const f of ['README.md', 'install.sh', 'serve.sh', 'hello-web.service', 'www/index.html', 'www/health']) {
        assert.ok(fs.statSync(path.join(app, f)).isFile(), f);
      }
      for (const script of ['install.sh', 'serve.sh']) {
        const stat = fs.statSync(path.join(app, script));
        assert.ok((stat.mode & 0o111) !== 0, `${script} is executable`);
        const text = fs.readFileSync(path.join(app, script), 'utf8');
        assert.ok(text.startsWith('#!/bin/sh\n'), `${script} is a POSIX shell script`);
        assert.match(text, /^set -eu$/m, `${script} stops at the first error`);
      }
    });
  });
});
