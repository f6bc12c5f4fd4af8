/**
 * The pipeline edge: the only module that imports azure-pipelines-task-lib.
 *
 * It turns the agent's environment (inputs, variables, endpoints, signals)
 * into a TaskEnvironment and implements TaskHost with logging commands.
 * Everything else in shared/ is plain TypeScript that tests can drive too.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';
import type { TaskHost, TaskOutcome } from '../core/taskHost';
import type { TaskEnvironment } from '../ports/taskEnvironment';
import type { InputName } from '../config/inputNames';
import { serviceConnectionFromEndpoint } from '../azure/endpointToConnection';
import type { NetworkSettings } from '../ports/networkSettings';
import { networkSettingsFromAgent } from './agentNetwork';
import { LocalizedError } from '../core/localizedError';
import { gateLine, gateLines, gateMessage, neutraliseCommands } from '../core/logGate';
import { redactSas } from '../core/sasRedaction';

/**
 * Text from outside (build-VM log lines, service messages, file names, the
 * user's template) reaches the agent only through these methods, so each one
 * passes its text through the output gate (shared/core/logGate.ts) and the
 * SAS redactor: nothing printed here can carry a logging command or a
 * signature. The task's own logging commands come only from task-lib calls
 * and from the `##[group]`/`##[endgroup]` prefixes written below.
 */
export class TaskLibHost implements TaskHost {
  private completed = false;

  loc(key: string, ...args: unknown[]): string {
    return tl.loc(key, ...args);
  }
  info(line: string): void {
    for (const gated of gateLines(redactSas(line))) console.log(gated);
  }
  debug(line: string): void {
    tl.debug(gateMessage(redactSas(line)));
  }
  warning(message: string): void {
    tl.warning(gateMessage(redactSas(message)));
  }
  error(message: string): void {
    tl.error(gateMessage(redactSas(message)));
  }
  beginGroup(title: string): void {
    console.log(`##[group]${gateLine(redactSas(title))}`);
  }
  endGroup(): void {
    console.log('##[endgroup]');
  }
  setSecret(value: string): void {
    maskLineByLine(value);
  }
  setOutput(name: string, value: string): void {
    // A later step may echo the value (`echo $(step.name)`), and the agent would run a command in it there.
    tl.setVariable(name, neutraliseCommands(redactSas(value)), false, true);
  }
  setProgress(percent: number, description: string): void {
    tl.setProgress(Math.max(0, Math.min(100, Math.round(percent))), gateLine(redactSas(description)));
  }
  uploadSummary(filePath: string): void {
    tl.uploadSummary(filePath);
  }
  uploadLog(filePath: string): void {
    tl.uploadBuildLog(filePath);
  }
  addAttachment(type: string, name: string, filePath: string): void {
    tl.addAttachment(type, name, filePath);
  }
  tempDirectory(): string {
    return tl.getVariable('Agent.TempDirectory') ?? require('node:os').tmpdir();
  }
  complete(outcome: TaskOutcome, message: string): void {
    this.completed = true;
    const text = gateMessage(redactSas(message));
    if (outcome === 'Canceled') {
      // task-lib spells it "Cancelled", which the agent rejects (the step would fail);
      // the agent's own value has one "l".
      tl.command('task.complete', { result: 'Canceled' }, text);
      return;
    }
    tl.setResult(tl.TaskResult[outcome], text);
  }
  hasCompleted(): boolean {
    return this.completed;
  }
}

/** Inputs whose agent-side type is filePath: the agent roots an empty value to the sources folder. */
function readInput(name: InputName): string | undefined {
  return tl.getInput(name, false);
}

export function createPipelineEnvironment(taskJsonDir: string): { env: TaskEnvironment; host: TaskLibHost; cancel: AbortController } {
  tl.setResourcePath(path.join(taskJsonDir, 'task.json'));
  const host = new TaskLibHost();
  const cancel = new AbortController();
  const env: TaskEnvironment = {
    host,
    input: readInput,
    context: {
      teamProject: tl.getVariable('System.TeamProject') ?? 'local',
      buildId: tl.getVariable('Build.BuildId') ?? '0',
      jobAttempt: tl.getVariable('System.JobAttempt') ?? '1',
      jobId: tl.getVariable('System.JobId'),
      taskInstanceId: tl.getVariable('System.TaskInstanceId'),
      workingDirectory: tl.getVariable('System.DefaultWorkingDirectory') ?? process.cwd(),
      ...connectionSubscription(),
    },
    readTextFile: (p) => fs.readFileSync(p, 'utf8'),
    serviceConnection: (endpointId) => readServiceConnection(endpointId),
    cancellation: cancel.signal,
  };
  return { env, host, cancel };
}

/** The connection's subscription from its endpoint data (no call to Azure), for subscription() in a deployment template. */
function connectionSubscription(): { subscriptionId?: string } {
  const endpointId = tl.getInput('azureSubscription', false);
  const subscriptionId = endpointId ? tl.getEndpointDataParameter(endpointId, 'subscriptionid', true) : undefined;
  return subscriptionId ? { subscriptionId } : {};
}

/** The agent rejects a multi-line secret (and fails the step), so each line is masked instead. */
function maskLineByLine(value: string): void {
  for (const line of value.split(/\r?\n/)) {
    if (line.trim().length > 0) tl.setSecret(line);
  }
}

function readServiceConnection(endpointId: string) {
  const url = tl.getEndpointUrl(endpointId, true);
  let auth: tl.EndpointAuthorization | undefined;
  try {
    auth = tl.getEndpointAuthorization(endpointId, true);
  } catch {
    // task-lib's own message quotes the raw authorization, secrets included.
    throw new LocalizedError('ConnectionAuthUnreadable', [endpointId]);
  }
  if (!url || !auth) throw new LocalizedError('ConnectionNotFound', [endpointId]);
  for (const value of Object.values(auth.parameters ?? {})) {
    // A certificate connection's PEM spans many lines.
    if (value) maskLineByLine(value);
  }
  const systemAccessToken =
    tl.getEndpointAuthorizationParameter('SYSTEMVSSCONNECTION', 'AccessToken', true) ??
    tl.getVariable('System.AccessToken');
  if (systemAccessToken) tl.setSecret(systemAccessToken);
  const connection = serviceConnectionFromEndpoint(
    endpointId,
    url,
    { scheme: auth.scheme, parameters: auth.parameters ?? {} },
    (key) => tl.getEndpointDataParameter(endpointId, key, true),
    { oidcRequestUri: tl.getVariable('System.OidcRequestUri'), systemAccessToken },
  );
  const network = readAgentNetwork();
  return network ? { ...connection, network } : connection;
}

/**
 * The agent's proxy (Agent.ProxyUrl, Agent.ProxyUsername, Agent.ProxyPassword,
 * Agent.ProxyBypassList) and certificates (Agent.CAInfo, Agent.ClientCert...),
 * as task-lib reads them. The agent sets no HTTPS_PROXY or NODE_EXTRA_CA_CERTS
 * for a task, so without this every call would go straight out.
 */
function readAgentNetwork(): NetworkSettings | undefined {
  const password = tl.getVariable('Agent.ProxyPassword');
  if (password) tl.setSecret(password);
  const passphrase = tl.getVariable('Agent.ClientCertPassword');
  if (passphrase) tl.setSecret(passphrase);
  let proxy: tl.ProxyConfiguration | null;
  try {
    proxy = tl.getHttpProxyConfiguration();
  } catch (error) {
    // The bypass list is JSON the agent wrote; task-lib's parse error is all there is to say.
    throw new LocalizedError('AgentProxyBypassInvalid', [tl.getVariable('Agent.ProxyBypassList') ?? '', (error as Error).message]);
  }
  return networkSettingsFromAgent(proxy, tl.getHttpCertConfiguration(), (p) => fs.readFileSync(p));
}

/**
 * The agent cancels a step with SIGINT, then SIGTERM 7.5 s later, then kills
 * the tree 2.5 s after that. The first signal starts the task's own cancel
 * (stop the build, clean up); later ones change nothing, so cleanup is not
 * interrupted by the default handler killing the process.
 */
export function installCancelHandlers(cancel: AbortController): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!cancel.signal.aborted) {
      tl.debug(`received ${signal}; cancelling`);
      cancel.abort(new Error(`pipeline cancelled (${signal})`));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
