import { strict as assert } from 'node:assert';
import { checkPipeline } from './pipelineChecks';
import { readPipeline } from './pipelineModel';
import { taskFromJson, type TaskCatalog } from './taskCatalog';

// A catalog with two small tasks, so these tests do not depend on the real task.json files.
const catalog: TaskCatalog = new Map([
  [
    'bake@1',
    taskFromJson('bake', {
      name: 'Bake',
      version: { Major: 1 },
      runsOn: ['Agent'],
      inputs: [{ name: 'azureSubscription', aliases: ['ibSubscription'] }, { name: 'packagePath' }],
      outputVariables: [{ name: 'imageId' }],
    }),
  ],
  ['check@1', taskFromJson('check', { name: 'Check', version: { Major: 1 }, runsOn: ['Server', 'ServerGate'], inputs: [{ name: 'imageId' }] })],
]);

const pipeline = (verifyVariable: string, extra = '') => `
stages:
  - stage: Build
    jobs:
      - job: B
        steps:
          - task: Bake@1
            name: bake
            inputs:
              ibSubscription: conn
  - stage: Verify
    dependsOn: Build
    variables:
      imageId: ${verifyVariable}
    jobs:
      - job: V
        pool: server
        steps:
          - task: Check@1
            inputs:
              imageId: $(imageId)
${extra}`;

const problemsOf = (text: string) => checkPipeline(readPipeline(text), catalog).problems;

describe('pipeline reference checks', () => {
  it('accept a correct cross-stage output reference', () => {
    const result = checkPipeline(readPipeline(pipeline("$[ stageDependencies.Build.B.outputs['bake.imageId'] ]")), catalog);
    assert.deepEqual(result.problems, []);
    assert.equal(result.references.length, 1);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['an output the task does not declare', "$[ stageDependencies.Build.B.outputs['bake.imageUri'] ]", /reads 'imageUri', which Bake@1 does not declare/],
    ['a step name that does not exist', "$[ stageDependencies.Build.B.outputs['baking.imageId'] ]", /names step 'baking', but job 'Build.B' has no step with that name/],
    ['a job that does not exist', "$[ stageDependencies.Build.X.outputs['bake.imageId'] ]", /names job 'X'/],
    ['a stage that does not exist', "$[ stageDependencies.Nope.B.outputs['bake.imageId'] ]", /names stage 'Nope'.*|does not list in dependsOn/],
    ['a malformed output path', "$[ stageDependencies.Build.B.outputs['imageId'] ]", /must read stageDependencies/],
  ];
  for (const [what, reference, expected] of bad) {
    it(`report ${what}`, () => {
      const problems = problemsOf(pipeline(reference));
      assert.ok(problems.some((p) => expected.test(p)), JSON.stringify(problems));
    });
  }

  it('report a stage read without dependsOn on it', () => {
    const text = pipeline("$[ stageDependencies.Build.B.outputs['bake.imageId'] ]").replace('dependsOn: Build', 'dependsOn: []');
    assert.ok(problemsOf(text).some((p) => /reads stage 'Build', which stage 'Verify' does not list in dependsOn/.test(p)));
  });

  it('check stage conditions with the <job>.<step>.<output> path', () => {
    const ok = `  - stage: Deploy
    dependsOn: [Build, Verify]
    condition: and(eq(dependencies.Verify.result, 'Succeeded'), ne(dependencies.Build.outputs['B.bake.imageId'], ''))
    jobs: []
`;
    assert.deepEqual(problemsOf(pipeline("$[ stageDependencies.Build.B.outputs['bake.imageId'] ]", ok)), []);
    const wrong = ok.replace("'B.bake.imageId'", "'bake.imageId'");
    assert.ok(problemsOf(pipeline("$[ stageDependencies.Build.B.outputs['bake.imageId'] ]", wrong)).some((p) => /output path is '<job>.<step>.<output>'/.test(p)));
    const notDepended = ok.replace('dependsOn: [Build, Verify]', 'dependsOn: [Build]');
    assert.ok(problemsOf(pipeline("$[ stageDependencies.Build.B.outputs['bake.imageId'] ]", notDepended)).some((p) => /reads stage 'Verify'/.test(p)));
  });

  it('check job-level dependencies within a stage', () => {
    const text = `
jobs:
  - job: A
    steps:
      - task: Bake@1
        name: bake
  - job: C
    dependsOn: A
    variables:
      id: $[ dependencies.A.outputs['bake.imageId'] ]
    steps:
      - script: echo $(id)
`;
    assert.deepEqual(problemsOf(text), []);
    assert.ok(problemsOf(text.replace('dependsOn: A', 'dependsOn: []')).some((p) => /reads job 'A', which job 'C' does not list in dependsOn/.test(p)));
  });

  it('report unknown tasks, inputs, tasks in the wrong kind of job and undefined macros', () => {
    const text = pipeline("$[ stageDependencies.Build.B.outputs['bake.imageId'] ]")
      .replace('ibSubscription: conn', 'ibSubscription: conn\n              packagePth: app\n              packagePath: $(artifactDir)')
      .replace('pool: server', 'pool: { vmImage: ubuntu-latest }')
      + `  - stage: Other
    jobs:
      - job: O
        steps:
          - task: Mystery@3
`;
    const problems = problemsOf(text);
    assert.ok(problems.some((p) => /Bake@1 has no input or alias 'packagePth'/.test(p)), JSON.stringify(problems));
    assert.ok(problems.some((p) => /\$\(artifactDir\) is not a variable defined for this step/.test(p)), JSON.stringify(problems));
    assert.ok(problems.some((p) => /Check@1 cannot run in an agent job/.test(p)), JSON.stringify(problems));
    assert.ok(problems.some((p) => /unknown task 'Mystery@3'/.test(p)), JSON.stringify(problems));
  });

  it('accept predefined variables and earlier steps outputs as macros', () => {
    const text = `
steps:
  - task: Bake@1
    name: bake
    inputs:
      packagePath: $(Build.SourcesDirectory)/app
  - script: echo $(bake.imageId)
`;
    assert.deepEqual(problemsOf(text), []);
  });

  it('read a runOnce deployment job with its environment and steps', () => {
    const p = readPipeline('jobs:\n  - deployment: D\n    environment: prod\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n            - task: Check@1\n              inputs:\n                imageId: x\n');
    const job = p.stages[0]?.jobs[0];
    assert.equal(job?.name, 'D');
    assert.equal(job?.environment, 'prod');
    assert.equal(job?.steps[0]?.task, 'Check@1');
  });

  it('refuse pipeline shapes it cannot check', () => {
    assert.throws(() => readPipeline('steps:\n  - template: steps.yml\n'), /templates are not understood/);
    assert.throws(() => readPipeline('jobs:\n  - deployment: D\n'), /needs an environment/);
    assert.throws(() => readPipeline('jobs:\n  - deployment: D\n    environment: e\n    strategy:\n      canary: {}\n'), /only the runOnce strategy/);
    assert.throws(() => readPipeline('jobs:\n  - template: jobs.yml\n'), /only 'job:' and 'deployment:' jobs/);
    assert.throws(() => readPipeline('steps: [\n'), Error);
    assert.throws(() => readPipeline('variables:\n  a: 1\n  a: 2\nsteps: []\n'), /unique|duplicate/i);
  });
});
