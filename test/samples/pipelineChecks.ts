/**
 * Checks a YAML pipeline's references against the pipeline itself and the
 * task.json files of the tasks it runs:
 * - output references (`stageDependencies.S.J.outputs['step.var']` in job or
 *   stage variables and conditions, `dependencies.S.outputs['J.step.var']` in
 *   stage conditions, `dependencies.J.outputs['step.var']` within a stage)
 *   name a stage the referencing stage depends on, a job in it, a step with
 *   that `name:` and an output its task declares in `outputVariables`;
 * - `dependencies.X.result` names something the stage or job depends on;
 * - every task exists (in this extension, or in the short list of in-box tasks
 *   the samples use), can run where its job runs, and gets only inputs it
 *   declares (by name or alias);
 * - every `$(macro)` in a step names a variable defined for it, a predefined
 *   variable, or an earlier step's output in the same job.
 */
import type { TaskCatalog } from './taskCatalog';
import { IMPLICIT, type JobModel, type PipelineModel, type StageModel, type StepModel } from './pipelineModel';

/** In-box tasks the samples use, with the names and aliases of their inputs (from azure-pipelines-tasks' task.json). */
export const IN_BOX_TASK_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'azurecli@2': [
    'azureSubscription', 'connectedServiceNameARM', 'scriptType', 'scriptLocation', 'scriptPath', 'inlineScript', 'scriptArguments', 'arguments',
    'powerShellErrorActionPreference', 'addSpnToEnvironment', 'useGlobalConfig', 'workingDirectory', 'cwd', 'failOnStandardError',
    'powerShellIgnoreLASTEXITCODE', 'visibleAzLogin', 'allowNoSubscriptions', 'keepAzSessionActive',
  ],
};

const PREDEFINED_VARIABLE = /^(Build|System|Agent|Pipeline|Release|Environment|Resources|Strategy|Checks|TF)\./i;

const REFERENCE = /\b(stageDependencies|dependencies)\.([A-Za-z_]\w*)\.(?:([A-Za-z_]\w*)\.)?(?:outputs\[\s*'([^']+)'\s*\]|(result))/g;

export interface OutputReference {
  /** Where the reference appears, for messages. */
  at: string;
  text: string;
  stage: string;
  job: string;
  step: string;
  output: string;
}

interface Scope {
  stage: StageModel;
  /** Undefined at stage level (stage variables and condition). */
  job?: JobModel;
  at: string;
}

export interface CheckResult {
  problems: string[];
  /** Every output reference that was resolved, for tests that want to see what was checked. */
  references: OutputReference[];
}

export function checkPipeline(pipeline: PipelineModel, catalog: TaskCatalog): CheckResult {
  const problems: string[] = [];
  const references: OutputReference[] = [];
  const stageByName = new Map(pipeline.stages.map((s) => [s.name, s]));

  const resolveOutput = (scope: Scope, text: string, stageName: string, jobName: string, stepName: string, output: string): void => {
    const stage = stageByName.get(stageName);
    if (!stage) return void problems.push(`${scope.at}: ${text} names stage '${stageName}', which does not exist`);
    const job = stage.jobs.find((j) => j.name === jobName);
    if (!job) return void problems.push(`${scope.at}: ${text} names job '${jobName}', which stage '${stageName}' does not have`);
    const step = job.steps.find((s) => s.name === stepName);
    if (!step) return void problems.push(`${scope.at}: ${text} names step '${stepName}', but job '${stageName}.${jobName}' has no step with that name:`);
    const task = step.task ? catalog.get(step.task.toLowerCase()) : undefined;
    if (!task) return void problems.push(`${scope.at}: ${text} reads step '${stepName}', which is not a task of this extension (its outputs cannot be checked)`);
    if (!task.outputVariables.has(output)) {
      return void problems.push(`${scope.at}: ${text} reads '${output}', which ${task.reference} does not declare in outputVariables (${[...task.outputVariables].join(', ')})`);
    }
    references.push({ at: scope.at, text, stage: stageName, job: jobName, step: stepName, output });
  };

  const checkExpressions = (scope: Scope, text: string): void => {
    for (const m of text.matchAll(REFERENCE)) {
      const [whole, kind, first, second, outputPath, result] = m as unknown as [string, string, string, string | undefined, string | undefined, string | undefined];
      const parts = outputPath?.split('.') ?? [];
      if (kind === 'stageDependencies') {
        if (!second || result || parts.length !== 2) {
          problems.push(`${scope.at}: ${whole} must read stageDependencies.<stage>.<job>.outputs['<step>.<output>']`);
          continue;
        }
        if (!scope.stage.dependsOn.includes(first)) problems.push(`${scope.at}: ${whole} reads stage '${first}', which stage '${scope.stage.name}' does not list in dependsOn`);
        resolveOutput(scope, whole, first, second, parts[0] as string, parts[1] as string);
        continue;
      }
      if (second) {
        problems.push(`${scope.at}: ${whole}: dependencies takes one name (dependencies.<name>.outputs[...] or .result)`);
        continue;
      }
      if (scope.job === undefined) {
        // Stage level: dependencies.<stage>.outputs['<job>.<step>.<output>'] or .result
        if (!scope.stage.dependsOn.includes(first)) problems.push(`${scope.at}: ${whole} reads stage '${first}', which stage '${scope.stage.name}' does not list in dependsOn`);
        if (result) continue;
        if (parts.length !== 3) {
          problems.push(`${scope.at}: ${whole}: at stage level the output path is '<job>.<step>.<output>'`);
          continue;
        }
        resolveOutput(scope, whole, first, parts[0] as string, parts[1] as string, parts[2] as string);
      } else {
        // Job level: dependencies.<job>.outputs['<step>.<output>'] or .result, within the same stage
        if (!scope.job.dependsOn.includes(first)) problems.push(`${scope.at}: ${whole} reads job '${first}', which job '${scope.job.name}' does not list in dependsOn`);
        if (result) continue;
        if (parts.length !== 2) {
          problems.push(`${scope.at}: ${whole}: at job level the output path is '<step>.<output>'`);
          continue;
        }
        resolveOutput(scope, whole, scope.stage.name, first, parts[0] as string, parts[1] as string);
      }
    }
  };

  const checkStep = (stage: StageModel, job: JobModel, step: StepModel, scope: Scope): void => {
    const where = `${scope.at} step ${step.name ?? step.index}`;
    const strings: string[] = [];
    collectStrings(step.raw, strings);
    for (const s of strings) checkExpressions({ ...scope, at: where }, s);
    // Macros: variables visible to the step, predefined ones, or earlier named steps' outputs.
    const visible = new Set([...pipelineVars, ...stage.variables.keys(), ...job.variables.keys()].map((v) => v.toLowerCase()));
    const earlier = job.steps.filter((s) => s.index < step.index && s.name).map((s) => (s.name as string).toLowerCase());
    for (const s of strings) {
      for (const [, name] of s.matchAll(/\$\(([\w.]+)\)/g)) {
        const n = (name as string).toLowerCase();
        const ok = visible.has(n) || PREDEFINED_VARIABLE.test(n) || earlier.some((e) => n.startsWith(`${e}.`));
        if (!ok) problems.push(`${where}: $(${name}) is not a variable defined for this step`);
      }
    }
    if (!step.task) return;
    const task = catalog.get(step.task.toLowerCase());
    if (task) {
      const target = job.server ? 'Server' : 'Agent';
      if (!task.runsOn.includes(target)) problems.push(`${where}: ${task.reference} cannot run in ${job.server ? 'a server (agentless)' : 'an agent'} job (runsOn ${task.runsOn.join(', ')})`);
      for (const input of Object.keys(step.inputs)) {
        if (!task.inputNames.has(input.toLowerCase())) problems.push(`${where}: ${task.reference} has no input or alias '${input}'`);
      }
      return;
    }
    const inBox = IN_BOX_TASK_INPUTS[step.task.toLowerCase()];
    if (!inBox) return void problems.push(`${where}: unknown task '${step.task}'`);
    if (job.server) problems.push(`${where}: ${step.task} is an agent task in a server job`);
    for (const input of Object.keys(step.inputs)) {
      if (!inBox.some((i) => i.toLowerCase() === input.toLowerCase())) problems.push(`${where}: ${step.task} has no input '${input}'`);
    }
  };

  const pipelineVars = [...pipeline.variables.keys()];
  const stageNames = new Set<string>();
  for (const stage of pipeline.stages) {
    if (stageNames.has(stage.name)) problems.push(`stage '${stage.name}' is declared twice`);
    stageNames.add(stage.name);
    for (const d of stage.dependsOn) if (!stageByName.has(d)) problems.push(`stage '${stage.name}' depends on unknown stage '${d}'`);
    const stageAt = stage.name === IMPLICIT ? 'pipeline' : `stage ${stage.name}`;
    for (const [name, value] of stage.variables) checkExpressions({ stage, at: `${stageAt} variable ${name}` }, value);
    if (stage.condition) checkExpressions({ stage, at: `${stageAt} condition` }, stage.condition);
    const jobNames = new Set(stage.jobs.map((j) => j.name));
    for (const job of stage.jobs) {
      const jobAt = `${stageAt} job ${job.name}`;
      for (const d of job.dependsOn) if (!jobNames.has(d)) problems.push(`${jobAt} depends on unknown job '${d}'`);
      for (const [name, value] of job.variables) checkExpressions({ stage, job, at: `${jobAt} variable ${name}` }, value);
      if (job.condition) checkExpressions({ stage, job, at: `${jobAt} condition` }, job.condition);
      const stepNames = new Set<string>();
      for (const step of job.steps) {
        if (step.name) {
          if (stepNames.has(step.name)) problems.push(`${jobAt}: step name '${step.name}' is used twice`);
          stepNames.add(step.name);
        }
        checkStep(stage, job, step, { stage, job, at: jobAt });
      }
    }
  }
  for (const v of pipeline.variables.values()) checkExpressions({ stage: { name: IMPLICIT, dependsOn: [], variables: new Map(), jobs: [] }, at: 'pipeline variables' }, v);
  return { problems, references };
}

function collectStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) collectStrings(x, out);
}
