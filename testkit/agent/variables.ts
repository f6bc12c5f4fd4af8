/**
 * Pipeline variables the way the agent exposes them to a task process:
 * name transform, `$(var)` macro expansion, and the environment block.
 */

/** VarUtil.ConvertToEnvVariableFormat: '.' and ' ' become '_', then upper case. */
export function toEnvName(name: string): string {
  return name.replace(/\./g, '_').replace(/ /g, '_').toUpperCase();
}

/** A case-insensitive view over public and secret variables, as the agent's Variables class. */
export class VariableStore {
  private readonly values = new Map<string, { name: string; value: string; secret: boolean }>();

  set(name: string, value: string, secret = false): void {
    this.values.set(name.toLowerCase(), { name, value, secret });
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase())?.value;
  }

  get publicVariables(): Array<{ name: string; value: string }> {
    return [...this.values.values()].filter((v) => !v.secret);
  }

  get secretVariables(): Array<{ name: string; value: string }> {
    return [...this.values.values()].filter((v) => v.secret);
  }

  /**
   * Replaces each `$(name)` whose variable exists, secret or not, in a single
   * pass (values are not expanded again); unknown macros stay as written.
   */
  expand(text: string): string {
    return text.replace(/\$\(([^()]+)\)/g, (whole, name: string) => this.get(name.trim()) ?? whole);
  }
}

/** The public and secret variable environment of Handler.AddVariablesToEnvironment. */
export function variablesToEnvironment(store: VariableStore): Record<string, string> {
  const env: Record<string, string> = {};
  const publicNames: string[] = [];
  for (const { name, value } of store.publicVariables) {
    if (name.toLowerCase() === 'agent.jobstatus') env[name] = value;
    env[toEnvName(name)] = value;
    publicNames.push(name);
  }
  env['VSTS_PUBLIC_VARIABLES'] = JSON.stringify(publicNames);
  const secretNames: string[] = [];
  for (const { name, value } of store.secretVariables) {
    env[`SECRET_${toEnvName(name)}`] = value;
    secretNames.push(name);
  }
  env['VSTS_SECRET_VARIABLES'] = JSON.stringify(secretNames);
  return env;
}
