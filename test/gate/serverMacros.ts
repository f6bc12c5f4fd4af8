/**
 * `$(name)` macro expansion as Azure DevOps applies it to an agentless task's
 * execution section: task inputs, `endpoint.*` values and pipeline variables,
 * looked up without regard to case (Azure DevOps variable names are
 * case-insensitive). A macro that names nothing stays as written, which is
 * what the service does too; that is why an unresolved `$(x)` shows up
 * literally in a gate's request URL instead of vanishing.
 */

/** Returns the value for a macro name, or undefined when it names nothing. */
export type MacroLookup = (name: string) => string | undefined;

const MACRO = /\$\(([A-Za-z0-9_.-]+)\)/g;

/** Replaces every `$(name)` the lookup knows; one pass, so values are not re-expanded. */
export function expandMacros(text: string, lookup: MacroLookup): string {
  return text.replace(MACRO, (whole, name: string) => lookup(name) ?? whole);
}

/** A lookup over one or more name/value maps, first map wins, names compared case-insensitively. */
export function lookupIn(...sources: ReadonlyArray<Readonly<Record<string, string | undefined>>>): MacroLookup {
  const merged = new Map<string, string>();
  for (const source of [...sources].reverse()) {
    for (const [name, value] of Object.entries(source)) {
      if (value !== undefined) merged.set(name.toLowerCase(), value);
    }
  }
  return (name) => merged.get(name.toLowerCase());
}
