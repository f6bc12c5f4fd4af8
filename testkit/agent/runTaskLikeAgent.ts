/**
 * Runs a built task folder the way the Azure Pipelines agent runs a Node task
 * (NodeHandler + TaskRunner + StepsRunner), so tests and `npm start` exercise
 * the real task entry through the real process boundary: environment in,
 * logging commands and exit code out, signals on cancel.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { endpointToEnvironment, isSecretAuthParameter, type AgentEndpoint } from './endpoints';
import { referencedEndpointIds, resolveInputs } from './inputs';
import { StepRecorder, type Attachment, type Issue } from './stepRecorder';
import { chooseHandler, readTaskDefinition, type TaskDefinition } from './taskDefinition';
import { mergeTaskResults, type TaskResult } from './taskResult';
import { VariableStore, toEnvName, variablesToEnvironment } from './variables';

export type { AgentEndpoint } from './endpoints';

export interface AgentRunOptions {
  /** A built task folder (task.json + bundle). */
  taskDir: string;
  /** Keyed by input name OR alias (as in YAML); resolved through task.json aliases. */
  inputs: Record<string, string>;
  /** Pipeline variables; overrides the defaults of a hosted build job (see defaultVariables). */
  variables?: Record<string, string>;
  secretVariables?: Record<string, string>;
  /** Key: endpoint id (GUID). */
  endpoints?: Record<string, AgentEndpoint>;
  /** SYSTEMVSSCONNECTION (scheme OAuth); a collection URL and a random token by default. */
  systemConnection?: { url: string; accessToken: string };
  /** System.TaskInstanceId, the step's id in the plan; a fresh GUID by default. */
  taskInstanceId?: string;
  /** The step's `name:`; outputs become `<stepName>.<name>`. Default `step1`. */
  stepName?: string;
  /** Default process.execPath. */
  nodePath?: string;
  /** Default: the agent's choice by priority among the handlers task.json declares. */
  handler?: 'Node24' | 'Node20_1';
  /**
   * The agent machine's own environment (NODE_EXTRA_CA_CERTS, ...) over the
   * calling process's; undefined removes a variable. The agent's variables win.
   */
  env?: Record<string, string | undefined>;
  /** The agent's proxy configuration (`config.sh --proxyurl --proxyusername --proxypassword`, `.proxybypass`). */
  proxy?: AgentProxy;
  /** The agent's certificate configuration (`config.sh --sslcacert --sslclientcert ...`). */
  certificates?: AgentCertificates;
  /** System.DefaultWorkingDirectory (the sources folder); a fresh temp folder by default. */
  workDir?: string;
  /**
   * Cancel the step as the agent does (SIGINT, 7.5 s, SIGTERM, 2.5 s, kill the process tree):
   * after a delay, at a line of output, or when `on` settles (an event a stand-in reports).
   */
  cancel?: { afterMs?: number; whenLine?: (line: string) => boolean; on?: Promise<unknown> };
  /**
   * The waits of the cancel ladder; the agent's own (7.5 s, 2.5 s) by default.
   * Shorter ones let the stand-in's own tests check the order of the signals
   * without spending the agent's grace periods; scenarios about the task's
   * grace period keep the defaults.
   */
  cancelLadder?: CancelLadder;
  /** Live, rendered (masked) log lines. */
  onLine?: (rendered: string) => void;
  /** The step's timeout: same signals as a cancel, but the step fails. */
  timeoutMs?: number;
  /**
   * Read the task's stdout like a busy agent: after each chunk, stop reading
   * for `pauseMs`, so the task's writes queue up behind a full pipe.
   */
  slowReader?: { pauseMs: number };
}

export interface AgentProxy {
  url: string;
  username?: string;
  password?: string;
  /** Lines of the agent's `.proxybypass` file: regular expressions matched against request URLs. */
  bypass?: string[];
}

export interface AgentCertificates {
  caFile?: string;
  clientCert?: string;
  clientCertKey?: string;
  clientCertArchive?: string;
  clientCertPassword?: string;
}

/**
 * What JobExtension.InitializeJob exposes of the agent's proxy and certificate
 * settings to every step: Agent.ProxyUrl, Agent.ProxyUsername,
 * Agent.ProxyPassword (secret) and Agent.ProxyBypassList (a JSON array), and
 * Agent.CAInfo, Agent.ClientCert, Agent.ClientCertKey, Agent.ClientCertArchive
 * and Agent.ClientCertPassword (secret). The agent sets no HTTP(S)_PROXY or
 * NODE_EXTRA_CA_CERTS for the task.
 */
export function agentNetworkVariables(
  proxy: AgentProxy | undefined,
  certificates: AgentCertificates | undefined,
): { variables: Record<string, string>; secretVariables: Record<string, string> } {
  const variables: Record<string, string> = {};
  const secretVariables: Record<string, string> = {};
  if (proxy?.url) {
    variables['Agent.ProxyUrl'] = proxy.url;
    if (proxy.username) variables['Agent.ProxyUsername'] = proxy.username;
    if (proxy.password) secretVariables['Agent.ProxyPassword'] = proxy.password;
    if (proxy.bypass && proxy.bypass.length > 0) variables['Agent.ProxyBypassList'] = JSON.stringify(proxy.bypass);
  }
  if (certificates?.caFile) variables['Agent.CAInfo'] = certificates.caFile;
  if (certificates?.clientCert) {
    variables['Agent.ClientCert'] = certificates.clientCert;
    if (certificates.clientCertKey) variables['Agent.ClientCertKey'] = certificates.clientCertKey;
    if (certificates.clientCertArchive) variables['Agent.ClientCertArchive'] = certificates.clientCertArchive;
    if (certificates.clientCertPassword) secretVariables['Agent.ClientCertPassword'] = certificates.clientCertPassword;
  }
  return { variables, secretVariables };
}

export interface AgentRunResult {
  result: TaskResult;
  exitCode: number | null;
  signal: string | null;
  canceled: boolean;
  /**
   * The strongest signal the agent had to send after SIGINT: 'SIGTERM' when the
   * task outlived the 7.5 s grace, 'SIGKILL' when it outlived SIGTERM's too.
   */
  escalated?: 'SIGTERM' | 'SIGKILL';
  /** The result the task itself wrote with task.complete (the agent overrides it on cancel). */
  commandedResult?: TaskResult;
  /** The execution handler the agent picked. */
  handler: string;
  issues: Issue[];
  /** `<step>.<name>` for isOutput or declared outputVariables. */
  outputs: Record<string, string>;
  /** Every variable the task set, by the plain name it used. */
  variables: Record<string, string>;
  attachments: Attachment[];
  summaries: string[];
  logs: string[];
  uploadedFiles: string[];
  progress: { value: number; text: string }[];
  /** Every value registered as a secret (variables, endpoint auth, task-registered). */
  secrets: string[];
  /** Rendered and masked, as the web log shows it; logging commands are not shown. */
  log: string[];
  /** Raw stdout + stderr, NOT masked: for debugging only. */
  stdout: string;
}

export interface CancelLadder {
  /** From SIGINT to SIGTERM. */
  sigintGraceMs: number;
  /** From SIGTERM to killing the process tree. */
  sigtermGraceMs: number;
}

/** The agent's ProcessInvoker timings (CancelAndKillProcessTree). */
export const AGENT_CANCEL_LADDER: Readonly<CancelLadder> = { sigintGraceMs: 7500, sigtermGraceMs: 2500 };
const AGENT_VERSION = '4.266.2';

/** Environment keys that belong to the agent's contract: never inherited from the calling process. */
const AGENT_OWNED_ENV = /^(INPUT_|ENDPOINT_|SECRET_|SECUREFILE_|VSTS_|SYSTEM_|BUILD_|AGENT_|RELEASE_|TASK_|PIPELINE_)/i;

let scratchRoot: string | undefined;
const runningGroups = new Set<number>();

function scratchDir(prefix: string): string {
  if (!scratchRoot) {
    scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-standin-'));
    const root = scratchRoot;
    process.once('exit', () => {
      for (const pid of runningGroups) killGroup(pid, 'SIGKILL');
      fs.rmSync(root, { recursive: true, force: true });
    });
  }
  return fs.mkdtempSync(path.join(scratchRoot, prefix));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

function defaultVariables(workDir: string, jobRoot: string, tempDir: string): Record<string, string> {
  return {
    'System.DefaultWorkingDirectory': workDir,
    'Build.SourcesDirectory': workDir,
    'Build.Repository.LocalPath': workDir,
    'Build.ArtifactStagingDirectory': path.join(jobRoot, 'a'),
    'Build.BinariesDirectory': path.join(jobRoot, 'b'),
    'Common.TestResultsDirectory': path.join(jobRoot, 'TestResults'),
    'Pipeline.Workspace': jobRoot,
    'Agent.BuildDirectory': jobRoot,
    'Agent.WorkFolder': path.dirname(jobRoot),
    'Agent.TempDirectory': tempDir,
    'Agent.Version': AGENT_VERSION,
    'Agent.OS': 'Linux',
    'Agent.OSArchitecture': 'X64',
    'Agent.Name': 'Local Agent',
    'Agent.JobName': 'Job',
    'Agent.JobStatus': 'Succeeded',
    'System.CollectionUri': 'https://dev.azure.com/contoso/',
    'System.TeamFoundationCollectionUri': 'https://dev.azure.com/contoso/',
    'System.TeamProject': 'ImageFactory',
    'System.TeamProjectId': '6f1c3b9e-2d4a-4c7e-9b8f-0a1d2c3e4f50',
    'System.HostType': 'build',
    'System.ServerType': 'Hosted',
    'System.PlanId': '0b7e5d8a-1c2f-4e3d-8a9b-7c6d5e4f3a21',
    'System.JobId': '9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a',
    'System.JobAttempt': '1',
    'System.StageAttempt': '1',
    'System.PhaseAttempt': '1',
    'System.JobDisplayName': 'Job',
    'System.StageName': '__default',
    'System.DefinitionId': '7',
    'System.Culture': 'en-US',
    'System.Debug': 'false',
    'Build.BuildId': '1234',
    'Build.BuildNumber': '20250101.1',
    'Build.DefinitionName': 'image-build',
    'Build.Reason': 'Manual',
    'Build.SourceBranch': 'refs/heads/main',
    'Build.SourceVersion': '1f0e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c',
  };
}

function displayNameOf(definition: TaskDefinition, inputs: Record<string, string>, stepName: string): string {
  const format = definition.instanceNameFormat || stepName;
  return format.replace(/\$\(([^()]+)\)/g, (whole, name: string) => inputs[name] ?? whole);
}

function taskHeader(definition: TaskDefinition): string[] {
  const rule = '='.repeat(78);
  return [
    rule,
    `Task         : ${definition.friendlyName}`,
    `Description  : ${definition.description}`,
    `Version      : ${definition.version}`,
    `Author       : ${definition.author}`,
    `Help         : ${definition.helpMarkDown}`,
    rule,
  ];
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? 128 + (os.constants.signals[signal] ?? 0) : -1;
}

export async function runTaskLikeAgent(options: AgentRunOptions): Promise<AgentRunResult> {
  const taskDir = path.resolve(options.taskDir);
  const definition = readTaskDefinition(taskDir);
  const handler = chooseHandler(definition, options.handler);
  const stepName = options.stepName ?? 'step1';

  const jobRoot = scratchDir('job-');
  const workDir = path.resolve(options.workDir ?? path.join(jobRoot, 's'));
  const tempDir = path.join(jobRoot, '_temp');

  const store = new VariableStore();
  for (const [name, value] of Object.entries(defaultVariables(workDir, jobRoot, tempDir))) store.set(name, value);
  // TaskRunner: the step's own identity (the plan's task instance id, its name and display name).
  store.set('System.TaskInstanceId', options.taskInstanceId ?? randomUUID());
  store.set('System.TaskInstanceName', stepName);
  store.set('System.TaskDisplayName', displayNameOf(definition, options.inputs, stepName));
  const network = agentNetworkVariables(options.proxy, options.certificates);
  for (const [name, value] of Object.entries(network.variables)) store.set(name, value);
  for (const [name, value] of Object.entries(network.secretVariables)) store.set(name, value, true);
  for (const [name, value] of Object.entries(options.variables ?? {})) store.set(name, value);
  for (const [name, value] of Object.entries(options.secretVariables ?? {})) store.set(name, value, true);
  for (const name of ['System.DefaultWorkingDirectory', 'Agent.TempDirectory', 'Build.ArtifactStagingDirectory', 'Build.BinariesDirectory']) {
    fs.mkdirSync(store.get(name)!, { recursive: true });
  }

  const recorder = new StepRecorder(stepName, definition.outputVariables, /^true$/i.test(store.get('System.Debug') ?? ''), options.onLine);
  for (const { value } of store.secretVariables) recorder.masker.add(value, { base64: true });

  const inputs = resolveInputs(definition, options.inputs, store, store.get('System.DefaultWorkingDirectory')!);

  // The agent's machine environment first; everything the agent sets wins over it.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !AGENT_OWNED_ENV.test(key)) env[key] = value;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  Object.assign(env, variablesToEnvironment(store));
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${toEnvName(name)}`] = value;

  const endpointsById = new Map(Object.entries(options.endpoints ?? {}).map(([id, endpoint]) => [id.toLowerCase(), endpoint]));
  for (const id of referencedEndpointIds(definition, inputs)) {
    const endpoint = endpointsById.get(id);
    if (!endpoint) throw new Error(`Service connection ${id} is referenced by the step but not given to the agent`);
    Object.assign(env, endpointToEnvironment(id, endpoint));
    for (const [key, value] of Object.entries(endpoint.parameters)) {
      if (value && isSecretAuthParameter(key)) recorder.masker.add(value);
    }
  }
  const system = options.systemConnection ?? {
    url: store.get('System.CollectionUri')!,
    accessToken: randomBytes(24).toString('base64url'),
  };
  Object.assign(env, endpointToEnvironment('SYSTEMVSSCONNECTION', { url: system.url, scheme: 'OAuth', parameters: { AccessToken: system.accessToken } }));
  recorder.masker.add(system.accessToken);

  const currentDirectory = (text: string): string => text.replace(/\$\(currentDirectory\)/gi, taskDir);
  const target = path.resolve(taskDir, currentDirectory(handler.execution.target));
  if (!fs.existsSync(target)) throw new Error(`The ${handler.name} target of ${definition.name} does not exist: ${target}`);
  const cwd = handler.execution.workingDirectory
    ? path.resolve(taskDir, store.expand(currentDirectory(handler.execution.workingDirectory)))
    : store.get('System.DefaultWorkingDirectory')!;
  const nodePath = options.nodePath ?? process.execPath;

  const displayName = displayNameOf(definition, inputs, stepName);
  recorder.write(`##[section]Starting: ${displayName}`);
  for (const line of taskHeader(definition)) recorder.write(line);

  // detached: the task gets its own process group, so "kill the process tree" reaches its children.
  const child = spawn(nodePath, [target], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) runningGroups.add(pid);

  let raw = '';
  let canceled = false;
  let timedOut = false;
  let stopping: Promise<void> | undefined;
  let escalated: 'SIGTERM' | 'SIGKILL' | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;

  const waitForExit = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (hasExited()) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const ladder = options.cancelLadder ?? AGENT_CANCEL_LADDER;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (pid === undefined || hasExited()) return;
      child.kill('SIGINT');
      if (await waitForExit(ladder.sigintGraceMs)) return;
      escalated = 'SIGTERM';
      child.kill('SIGTERM');
      if (await waitForExit(ladder.sigtermGraceMs)) return;
      escalated = 'SIGKILL';
      killGroup(pid, 'SIGKILL');
    })();
    return stopping;
  };
  const requestCancel = (): void => {
    if (canceled || timedOut || hasExited()) return;
    canceled = true;
    void stop();
  };

  const timers: NodeJS.Timeout[] = [];
  if (options.cancel?.afterMs !== undefined) timers.push(setTimeout(requestCancel, options.cancel.afterMs));
  options.cancel?.on?.then(requestCancel, () => undefined);
  if (options.timeoutMs !== undefined) {
    timers.push(
      setTimeout(() => {
        if (canceled || hasExited()) return;
        timedOut = true;
        void stop();
      }, options.timeoutMs),
    );
  }

  const onLine = (line: string): void => {
    raw += `${line}\n`;
    recorder.processLine(line);
    if (options.cancel?.whenLine?.(line)) requestCancel();
  };
  readline.createInterface({ input: child.stdout! }).on('line', onLine);
  readline.createInterface({ input: child.stderr! }).on('line', onLine);
  if (options.slowReader) {
    const { pauseMs } = options.slowReader;
    const out = child.stdout!;
    out.on('data', () => {
      out.pause();
      setTimeout(() => out.resume(), pauseMs);
    });
  }

  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await exited;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await stopping;
    // Like the agent's orphan-process cleanup at the end of a step: nothing the task started survives it.
    if (pid !== undefined) {
      killGroup(pid, 'SIGKILL');
      runningGroups.delete(pid);
    }
  }

  // StepsRunner: the handler's outcome sets the result outright; task.complete results only count
  // when the process ended normally; then failures of logging commands merge in.
  let result: TaskResult | undefined;
  if (canceled) {
    recorder.addIssue('error', 'The operation was canceled.');
    result = 'Canceled';
  } else if (timedOut) {
    recorder.addIssue('error', `The task has timed out.`);
    result = 'Failed';
  } else if (exit.code !== 0) {
    const code = exit.code ?? signalNumber(exit.signal);
    recorder.addIssue('error', `Exit code ${code} returned from process: file name '${nodePath}', arguments '"${target}"'.`);
    result = 'Failed';
  } else {
    result = recorder.commandedResult;
  }
  if (recorder.commandFailure) result = mergeTaskResults(result, recorder.commandFailure);
  recorder.write(`##[section]Finishing: ${displayName}`);

  return {
    result: result ?? 'Succeeded',
    exitCode: exit.code,
    signal: exit.signal,
    canceled,
    ...(escalated ? { escalated } : {}),
    ...(recorder.commandedResult ? { commandedResult: recorder.commandedResult } : {}),
    handler: handler.name,
    issues: recorder.issues,
    outputs: recorder.outputs,
    variables: recorder.variables,
    attachments: recorder.attachments,
    summaries: recorder.summaries,
    logs: recorder.logs,
    uploadedFiles: recorder.uploadedFiles,
    progress: recorder.progress,
    secrets: [...recorder.masker.secrets],
    log: recorder.log,
    stdout: raw,
  };
}
