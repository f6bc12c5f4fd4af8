/**
 * Renders an agentless task's `HttpRequest.Execute` section the way Azure
 * DevOps does before sending it, and judges the response the way it does
 * after: inputs get their defaults and aliases, variables inside input values
 * are expanded, `$(…)` macros are replaced in every field, the URL's Mustache
 * sections are rendered, and success needs a 2xx status plus a true
 * `Expression`.
 */
import { expandMacros, lookupIn } from './serverMacros';
import { renderServerTemplate } from './serverTemplate';
import { evaluateServerExpression } from './serverExpressions';

export interface TaskInputDefinition {
  name: string;
  aliases?: string[];
  type: string;
  defaultValue?: string | boolean;
}

export interface HttpRequestExecute {
  EndpointId?: string;
  EndpointUrl: string;
  Method: string;
  Body?: string;
  Headers?: string;
  WaitForCompletion?: string;
  Expression?: string;
}

export interface ServerTaskDefinition {
  inputs: TaskInputDefinition[];
  execution: { HttpRequest?: { Execute: HttpRequestExecute } } & Record<string, unknown>;
}

/** The service connection as the server sees it: its URL and its data (e.g. subscriptionId). */
export interface ServiceEndpoint {
  url: string;
  data: Readonly<Record<string, string>>;
}

export interface RenderedHttpRequest {
  endpointId: string;
  url: string;
  method: string;
  headers: string;
  body: string;
  waitForCompletion: string;
  expression: string;
}

export type GivenInputs = Readonly<Record<string, string | boolean>>;

/**
 * Input values by input name: given by name or alias (as YAML may), else the
 * default; variables referenced inside a value are expanded. An input the task
 * does not declare is an error, so a typo in a test cannot pass unnoticed.
 */
export function resolveInputs(
  task: ServerTaskDefinition,
  given: GivenInputs,
  variables: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const byKey = new Map<string, TaskInputDefinition>();
  for (const input of task.inputs) {
    byKey.set(input.name.toLowerCase(), input);
    for (const alias of input.aliases ?? []) byKey.set(alias.toLowerCase(), input);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    const input = byKey.get(key.toLowerCase());
    if (!input) throw new Error(`The task has no input named '${key}'`);
    values[input.name] = String(value);
  }
  const variableLookup = lookupIn(variables);
  for (const input of task.inputs) {
    const raw = values[input.name] ?? (input.defaultValue === undefined ? '' : String(input.defaultValue));
    values[input.name] = expandMacros(raw, variableLookup);
  }
  return values;
}

export function renderHttpRequest(
  task: ServerTaskDefinition,
  options: { inputs: GivenInputs; endpoint: ServiceEndpoint; variables?: Readonly<Record<string, string>> },
): RenderedHttpRequest {
  const execute = task.execution.HttpRequest?.Execute;
  if (!execute) throw new Error('The task has no HttpRequest.Execute section');
  const inputs = resolveInputs(task, options.inputs, options.variables);
  const endpointValues: Record<string, string> = { 'endpoint.url': options.endpoint.url };
  for (const [k, v] of Object.entries(options.endpoint.data)) endpointValues[`endpoint.${k}`] = v;
  const macros = lookupIn(inputs, endpointValues, options.variables ?? {});
  const expand = (field: string | undefined) => expandMacros(field ?? '', macros);
  // Mustache sees the inputs, the endpoint values and the endpoint's data by bare name
  // (AzureMonitorV1 writes {{subscriptionId}}).
  const templateContext = { ...options.endpoint.data, ...endpointValues, ...inputs };
  return {
    endpointId: expand(execute.EndpointId),
    url: renderServerTemplate(expand(execute.EndpointUrl), templateContext),
    method: expand(execute.Method),
    headers: expand(execute.Headers),
    body: expand(execute.Body),
    waitForCompletion: expand(execute.WaitForCompletion),
    expression: expand(execute.Expression),
  };
}

export interface GateOutcome {
  passed: boolean;
  /** Why, in words, for assertion messages. */
  reason: string;
}

/** A response passes when its status is 2xx and the expression (if any) is true for its body. */
export function judgeResponse(expression: string, status: number, bodyText: string): GateOutcome {
  if (status < 200 || status > 299) return { passed: false, reason: `HTTP ${status}` };
  if (expression.trim() === '') return { passed: true, reason: `HTTP ${status}, no expression` };
  let root: unknown = null;
  try {
    root = bodyText.length > 0 ? JSON.parse(bodyText) : null;
  } catch {
    root = null;
  }
  const passed = evaluateServerExpression(expression, { root });
  return { passed, reason: `HTTP ${status}, expression ${passed ? 'true' : 'false'}` };
}
