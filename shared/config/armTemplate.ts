/** ARM deployment templates as a templateJsonPath form: the one imageTemplates resource lifted out. */
import { ExpressionError, evaluateString, isExpression, type ExpressionScope } from './armExpressions';
import { issue, type Issue } from './problems';

/**
 * Lifts the one image template out of an ARM deployment template, the form
 * most published samples take, into the request body the task submits.
 *
 * Only `location`, `identity`, `properties` and `tags` of the resource are
 * read (and evaluated); `name`, `apiVersion`, `dependsOn` and every other
 * resource of the file are ignored: the task deploys the image template alone,
 * under the name the templateName input gives it. `location` and `identity`
 * are kept only when they evaluate: the inputs replace them in any case. Parameters take their
 * `defaultValue` (the task reads no parameters file); `resourceGroup()` is the
 * task's resource group in its `location`, `subscription()` the service
 * connection's subscription.
 */

type Json = Record<string, unknown>;

const IMAGE_TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';

/** What the deployment's own functions return, as far as the task knows it before calling Azure. */
export interface DeploymentScope {
  /** The task's location input: resourceGroup().location. */
  location: string;
  /** The task's resourceGroup input: resourceGroup().name. */
  resourceGroup: string;
  /** The service connection's subscription; subscription() is refused without it. */
  subscriptionId?: string;
}

export type LiftResult = { body: Json; issues: Issue[] } | { body?: undefined; issues: Issue[] };

const LIFTED_FIELDS = ['location', 'identity', 'properties', 'tags'] as const;
const REPLACED_BY_INPUTS: readonly string[] = ['location', 'identity'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deployment template: the deploymentTemplate `$schema`, or a `resources` list (or the symbolic-name object of languageVersion 2.0). */
export function isDeploymentTemplate(value: Json): boolean {
  const schema = value['$schema'];
  return (typeof schema === 'string' && /deploymentTemplate\.json/i.test(schema)) || Array.isArray(value['resources']) || (isObject(value['resources']) && !isObject(value['properties']));
}

/**
 * The imageTemplates resources of a deployment template. A `type` that is
 * itself an expression is not evaluated: samples always spell it out.
 */
function imageTemplateResources(template: Json): Json[] {
  const resources = template['resources'];
  const list = Array.isArray(resources) ? resources : isObject(resources) ? Object.values(resources) : [];
  return list.filter(isObject).filter((r) => typeof r['type'] === 'string' && r['type'].toLowerCase() === IMAGE_TEMPLATE_TYPE.toLowerCase());
}

/**
 * The request body of the one image template the deployment template holds,
 * or the reasons it cannot be had. `notImageTemplate` holds the detail for
 * the one "not a template the task understands" error when the file has no
 * single imageTemplates resource.
 */
export function liftImageTemplate(template: Json, path: string, scope: DeploymentScope): LiftResult & { notImageTemplate?: string } {
  const found = imageTemplateResources(template);
  if (found.length !== 1) {
    return { issues: [], notImageTemplate: `a deployment template with ${found.length} ${IMAGE_TEMPLATE_TYPE} resources` };
  }
  const resource = found[0]!;
  const evaluator = new Evaluator(template, path, scope);
  const body: Json = {};
  for (const field of LIFTED_FIELDS) {
    if (resource[field] === undefined) continue;
    if (REPLACED_BY_INPUTS.includes(field)) {
      // The location and identity inputs replace these anyway, so a value the task cannot evaluate
      // (typically "[parameters('location')]" without a default) is left out instead of failing the run.
      const lenient = new Evaluator(template, path, scope);
      const value = lenient.value(resource[field], field);
      if (lenient.issues.length === 0) body[field] = value;
    } else {
      body[field] = evaluator.value(resource[field], field);
    }
  }
  if (!isObject(body['properties'])) {
    return { issues: evaluator.issues, notImageTemplate: `an ${IMAGE_TEMPLATE_TYPE} resource without a 'properties' object` };
  }
  return evaluator.issues.length > 0 ? { issues: evaluator.issues } : { body, issues: [] };
}

/** Evaluates the values of the lifted resource, collecting one issue per failing expression. */
class Evaluator {
  readonly issues: Issue[] = [];
  private readonly reported = new Set<string>();
  private readonly variables = new Map<string, unknown>();
  private readonly resolving = new Set<string>();
  private readonly scope: ExpressionScope;

  constructor(
    private readonly template: Json,
    private readonly path: string,
    deployment: DeploymentScope,
  ) {
    this.scope = {
      parameter: (name) => this.parameter(name),
      variable: (name) => this.variable(name),
      resourceGroup: () => ({
        location: deployment.location,
        name: deployment.resourceGroup,
        ...(deployment.subscriptionId ? { id: `/subscriptions/${deployment.subscriptionId}/resourceGroups/${deployment.resourceGroup}` } : {}),
      }),
      subscription: () => {
        if (!deployment.subscriptionId) throw new ExpressionError("the service connection's subscription is not known here");
        return { subscriptionId: deployment.subscriptionId, id: `/subscriptions/${deployment.subscriptionId}` };
      },
    };
  }

  /** A JSON value with every expression in it (object keys included) evaluated; undefined where one failed. */
  value(value: unknown, where: string): unknown {
    if (typeof value === 'string') return this.string(value, where);
    if (Array.isArray(value)) return value.map((item, index) => this.value(item, `${where}[${index}]`));
    if (!isObject(value)) return value;
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) {
      // userAssignedIdentities keys are often expressions such as [concat(...)] or [parameters('identityId')].
      const name = isExpression(key) || key.startsWith('[[') ? this.string(key, `${where}.${key}`) : key;
      const evaluated = this.value(item, `${where}.${key}`);
      if (typeof name === 'string') out[name] = evaluated;
    }
    return out;
  }

  private string(text: string, where: string): unknown {
    try {
      return evaluateString(text, this.scope);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      if (err instanceof NestedIssue) {
        this.report(err.issue);
      } else {
        this.report(
          err.unsupported
            ? issue('TemplateFileExpressionUnsupported', this.path, shown(text), where, err.message)
            : issue('TemplateFileExpressionInvalid', this.path, shown(text), where, err.message),
        );
      }
      return undefined;
    }
  }

  private report(found: Issue): void {
    const id = `${found.key}\u0000${found.args.join('\u0000')}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.issues.push(found);
  }

  private parameter(name: string): unknown {
    const declared = isObject(this.template['parameters']) ? this.template['parameters'][name] : undefined;
    if (!isObject(declared)) throw new NestedIssue(issue('TemplateFileParameterUnknown', this.path, name));
    if (!('defaultValue' in declared)) throw new NestedIssue(issue('TemplateFileParameterNoDefault', this.path, name));
    // A default may itself be an expression, e.g. "[resourceGroup().location]".
    return this.resolved(`parameters('${name}')`, () => this.valueOrThrow(declared['defaultValue'], `parameters.${name}.defaultValue`));
  }

  private variable(name: string): unknown {
    const declared = isObject(this.template['variables']) ? this.template['variables'] : {};
    if (!(name in declared)) throw new NestedIssue(issue('TemplateFileVariableUnknown', this.path, name));
    if (!this.variables.has(name)) {
      this.variables.set(name, this.resolved(`variables('${name}')`, () => this.valueOrThrow(declared[name], `variables.${name}`)));
    }
    return this.variables.get(name);
  }

  private resolved(what: string, compute: () => unknown): unknown {
    if (this.resolving.has(what)) throw new ExpressionError(`${what} refers to itself`);
    this.resolving.add(what);
    try {
      return compute();
    } finally {
      this.resolving.delete(what);
    }
  }

  /** Evaluates a parameter default or variable; a failure inside it fails the expression that used it. */
  private valueOrThrow(value: unknown, where: string): unknown {
    const before = this.issues.length;
    const result = this.value(value, where);
    if (this.issues.length > before) throw new NestedIssue(this.issues[this.issues.length - 1]!);
    return result;
  }
}

/** Expressions are quoted whole up to a length that still reads as one line of the log. */
const MAX_QUOTED = 300;
function shown(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/** An issue found while evaluating what an expression refers to; reported as is, not wrapped. */
class NestedIssue extends ExpressionError {
  constructor(readonly issue: Issue) {
    super(issue.key);
  }
}
