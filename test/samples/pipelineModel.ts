/**
 * A YAML pipeline read into stages, jobs and steps, with the defaults Azure
 * Pipelines applies: a pipeline of bare `steps` or `jobs` is one implicit
 * stage (and job); a stage without `dependsOn` depends on the one before it; a
 * job without `dependsOn` depends on nothing. Deployment jobs are read with
 * their environment and the steps of a runOnce strategy. Shapes this reader
 * does not understand (templates, other strategies, each-expressions) are
 * errors, so a sample cannot slip past the reference checks by using them.
 */
import { parseDocument } from 'yaml';

export const IMPLICIT = '__default';

export type Variables = ReadonlyMap<string, string>;

export interface StepModel {
  index: number;
  task?: string;
  name?: string;
  inputs: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface JobModel {
  name: string;
  dependsOn: string[];
  server: boolean;
  variables: Variables;
  condition?: string;
  /** A deployment job's environment (where approvals and checks apply). */
  environment?: string;
  steps: StepModel[];
}

export interface StageModel {
  name: string;
  dependsOn: string[];
  variables: Variables;
  condition?: string;
  jobs: JobModel[];
}

export interface PipelineModel {
  raw: Record<string, unknown>;
  variables: Variables;
  stages: StageModel[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${what} must be a list`);
  return v;
}

function names(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  return list(v, what).map((x) => String(x));
}

function readVariables(v: unknown, where: string): Map<string, string> {
  const vars = new Map<string, string>();
  if (v === undefined) return vars;
  if (isRecord(v)) {
    for (const [k, value] of Object.entries(v)) vars.set(k, String(value));
    return vars;
  }
  for (const entry of list(v, `${where} variables`)) {
    if (!isRecord(entry) || typeof entry.name !== 'string') throw new Error(`${where}: only name/value variables are understood, got ${JSON.stringify(entry)}`);
    vars.set(entry.name, String(entry.value ?? ''));
  }
  return vars;
}

function readSteps(v: unknown, where: string): StepModel[] {
  return list(v, `${where} steps`).map((s, index) => {
    if (!isRecord(s)) throw new Error(`${where}: step ${index} is not a mapping`);
    if ('template' in s) throw new Error(`${where}: step templates are not understood`);
    const step: StepModel = { index, inputs: isRecord(s.inputs) ? s.inputs : {}, raw: s };
    if (typeof s.task === 'string') step.task = s.task;
    if (typeof s.name === 'string') step.name = s.name;
    return step;
  });
}

function readJob(v: unknown, where: string): JobModel {
  if (!isRecord(v)) throw new Error(`${where}: a job must be a mapping`);
  if (typeof v.deployment === 'string') return readDeploymentJob(v, where);
  if (typeof v.job !== 'string') throw new Error(`${where}: only 'job:' and 'deployment:' jobs are understood (no template jobs)`);
  const job: JobModel = {
    name: v.job,
    dependsOn: names(v.dependsOn, `${where}.${v.job} dependsOn`) ?? [],
    server: v.pool === 'server' || (isRecord(v.pool) && v.pool.name === 'server'),
    variables: readVariables(v.variables, `${where}.${v.job}`),
    steps: readSteps(v.steps, `${where}.${v.job}`),
  };
  if (typeof v.condition === 'string') job.condition = v.condition;
  return job;
}

/** A deployment job: `environment:` and `strategy: runOnce: deploy: steps:` (the only strategy understood). */
function readDeploymentJob(v: Record<string, unknown>, where: string): JobModel {
  const name = v.deployment as string;
  const environment = typeof v.environment === 'string' ? v.environment : isRecord(v.environment) ? v.environment.name : undefined;
  if (typeof environment !== 'string') throw new Error(`${where}.${name}: a deployment job needs an environment`);
  const strategy = isRecord(v.strategy) ? v.strategy : undefined;
  const deploy = isRecord(strategy?.runOnce) && isRecord(strategy.runOnce.deploy) ? strategy.runOnce.deploy : undefined;
  if (!deploy) throw new Error(`${where}.${name}: only the runOnce strategy with deploy steps is understood`);
  const job: JobModel = {
    name,
    dependsOn: names(v.dependsOn, `${where}.${name} dependsOn`) ?? [],
    server: false,
    variables: readVariables(v.variables, `${where}.${name}`),
    environment,
    steps: readSteps(deploy.steps, `${where}.${name}`),
  };
  if (typeof v.condition === 'string') job.condition = v.condition;
  return job;
}

export function readPipeline(text: string): PipelineModel {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  const raw = doc.toJS() as unknown;
  if (!isRecord(raw)) throw new Error('A pipeline must be a mapping');
  const variables = readVariables(raw.variables, 'pipeline');
  let stages: StageModel[];
  if (raw.stages !== undefined) {
    let previous: string | undefined;
    stages = list(raw.stages, 'stages').map((s) => {
      if (!isRecord(s) || typeof s.stage !== 'string') throw new Error("each stage must be a mapping with 'stage:'");
      const dependsOn = names(s.dependsOn, `${s.stage} dependsOn`) ?? (previous ? [previous] : []);
      previous = s.stage;
      const stage: StageModel = {
        name: s.stage,
        dependsOn,
        variables: readVariables(s.variables, s.stage),
        jobs: list(s.jobs, `${s.stage} jobs`).map((j) => readJob(j, s.stage as string)),
      };
      if (typeof s.condition === 'string') stage.condition = s.condition;
      return stage;
    });
  } else if (raw.jobs !== undefined) {
    stages = [{ name: IMPLICIT, dependsOn: [], variables: new Map(), jobs: list(raw.jobs, 'jobs').map((j) => readJob(j, 'pipeline')) }];
  } else {
    const job: JobModel = { name: IMPLICIT, dependsOn: [], server: raw.pool === 'server', variables: new Map(), steps: readSteps(raw.steps, 'pipeline') };
    stages = [{ name: IMPLICIT, dependsOn: [], variables: new Map(), jobs: [job] }];
  }
  return { raw, variables, stages };
}
