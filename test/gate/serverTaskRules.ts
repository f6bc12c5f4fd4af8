/**
 * The rules Azure DevOps sets for agentless (server and gate) tasks, as
 * azure-pipelines-tasks enforces them in its own L0 test ("Find invalid
 * server Task/ServerGate") and documents in docs/authoring/gates.md:
 * runsOn only Server/ServerGate, exactly one execution handler and that one
 * an HttpRequest, HttpRequestChain or ServiceBus, no demands and no
 * minimumAgentVersion (there is no agent).
 */

const SERVER_HANDLERS = ['HttpRequest', 'HttpRequestChain', 'ServiceBus'] as const;
const SERVER_TARGETS = ['Server', 'ServerGate'];

/** Every violated rule, in words; empty when the task.json follows them all. */
export function serverTaskRuleViolations(task: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const runsOn = task.runsOn;
  if (!Array.isArray(runsOn) || runsOn.length === 0) {
    problems.push('runsOn must list Server and/or ServerGate');
  } else {
    for (const target of runsOn) {
      if (!SERVER_TARGETS.includes(String(target))) problems.push(`runsOn must contain only Server or ServerGate, found '${String(target)}'`);
    }
  }
  for (const section of ['prejobexecution', 'postjobexecution']) {
    if (task[section] !== undefined) problems.push(`${section} is not allowed in a server task`);
  }
  const execution = task.execution;
  const handlers = typeof execution === 'object' && execution !== null ? Object.keys(execution) : [];
  if (handlers.length !== 1) {
    problems.push(`execution must hold exactly one handler, found ${handlers.length} (${handlers.join(', ') || 'none'})`);
  }
  for (const handler of handlers) {
    if (!(SERVER_HANDLERS as readonly string[]).includes(handler)) {
      problems.push(`execution handler '${handler}' cannot run on the server (allowed: ${SERVER_HANDLERS.join(', ')})`);
    }
  }
  if (task.demands !== undefined) problems.push('demands are not allowed in a server task');
  if (task.minimumAgentVersion !== undefined) problems.push('minimumAgentVersion is not allowed in a server task');
  const httpRequest = (execution as Record<string, unknown> | undefined)?.HttpRequest as { Execute?: Record<string, unknown> } | undefined;
  if (httpRequest !== undefined) {
    const execute = httpRequest.Execute;
    if (!execute) problems.push('HttpRequest needs an Execute section');
    else {
      for (const key of ['EndpointUrl', 'Method']) {
        if (typeof execute[key] !== 'string' || (execute[key] as string).length === 0) problems.push(`HttpRequest.Execute.${key} is required`);
      }
    }
  }
  return problems;
}
