/**
 * Reads the import graph of the code and judges it against the layers of
 * shared/ (README.md, "How the code is laid out"): a module imports only from
 * its own folder or from a lower layer, no file-level cycle, task-lib only in
 * shared/edge, the Azure SDK only in shared/azure, and product code never
 * reaches into test/ or scripts/. The checker works on a plain graph so its
 * own test can feed it a small fake one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The layers of shared/, bottom (0) to top. Folders on one rank are peers and
 * may not import each other: what two of them share belongs lower down.
 */
export const LAYER_RANK: Readonly<Record<string, number>> = {
  core: 0,
  config: 1,
  template: 2,
  images: 2,
  staging: 3,
  watch: 3,
  preflight: 3,
  report: 3,
  ports: 4,
  azure: 5,
  run: 6,
  edge: 7,
};

/** One import as written in a file: `specifier` is the text in quotes. */
export interface ImportEdge {
  /** Repository-relative path of the importing file, with forward slashes. */
  from: string;
  specifier: string;
  /** Repository-relative path of the imported file when the specifier is relative; undefined for packages. */
  to?: string;
  /** `import type` / `export type`, which leave nothing behind in the compiled code. */
  typeOnly: boolean;
}

/** The relative import specifiers, package specifiers and type-only flags of one TypeScript source. */
export function importsOf(fileName: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) found.push({ specifier: (node.arguments[0] as ts.StringLiteralLike).text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(root, rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The file a relative specifier names (`./x`, `./x.js`, `./dir` with an index.ts), if it exists. */
function resolveRelative(root: string, from: string, specifier: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier.replace(/\.js$/, '')));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
    if (fs.existsSync(path.join(root, candidate))) return candidate;
  }
  return base;
}

/** Every import of every .ts file under the given repository folders. */
export function readImportGraph(root: string, folders: readonly string[]): ImportEdge[] {
  return folders.flatMap((folder) =>
    sourceFiles(root, folder).flatMap((from) =>
      importsOf(from, fs.readFileSync(path.join(root, from), 'utf8')).map(({ specifier, typeOnly }) => {
        const edge: ImportEdge = { from, specifier, typeOnly };
        if (specifier.startsWith('.')) edge.to = resolveRelative(root, from, specifier);
        return edge;
      }),
    ),
  );
}

/** The folder of shared/ a file belongs to (`shared/run/x.ts` -> `run`), else undefined. */
export function layerOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'shared' && parts.length > 2 ? parts[1] : undefined;
}

/** Imports that point up or sideways between layers, and files in shared/ outside any layer. */
export function upwardImports(edges: readonly ImportEdge[], ranks: Readonly<Record<string, number>> = LAYER_RANK): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const fromLayer = layerOf(edge.from);
    if (fromLayer === undefined) continue;
    const fromRank = ranks[fromLayer];
    if (fromRank === undefined) {
      problems.push(`${edge.from}: folder shared/${fromLayer} has no layer`);
      continue;
    }
    if (edge.to === undefined) continue;
    const toLayer = layerOf(edge.to);
    if (toLayer === undefined || toLayer === fromLayer) continue;
    const toRank = ranks[toLayer];
    if (toRank === undefined || toRank >= fromRank) {
      problems.push(`${edge.from} imports '${edge.specifier}' (${toLayer}, rank ${toRank ?? '?'}) from ${fromLayer} (rank ${fromRank})`);
    }
  }
  return [...new Set(problems)];
}

/** Each file-level import cycle among the given edges, once, as `a -> b -> a`. */
export function importCycles(edges: readonly ImportEdge[]): string[] {
  const next = new Map<string, { to: string; specifier: string }[]>();
  for (const edge of edges) {
    if (edge.to === undefined) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), { to: edge.to, specifier: edge.specifier }]);
  }
  // Tarjan's strongly connected components; every component larger than one file (or a self-import) holds a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const strongConnect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const { to } of next.get(file) ?? []) {
      if (!index.has(to)) {
        strongConnect(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfImport = (next.get(file) ?? []).some((e) => e.to === file);
    if (component.length > 1 || selfImport) cycles.push(describeCycle(component, next));
  };
  for (const file of [...next.keys()].sort()) if (!index.has(file)) strongConnect(file);
  return cycles;
}

/** One concrete loop through a strongly connected component, naming the import that closes each step. */
function describeCycle(component: readonly string[], next: Map<string, { to: string; specifier: string }[]>): string {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const steps: string[] = [start];
  const seen = new Set<string>([start]);
  let at = start;
  for (;;) {
    const step = (next.get(at) ?? []).find((e) => members.has(e.to) && (e.to === start || !seen.has(e.to)))
      ?? (next.get(at) ?? []).find((e) => members.has(e.to))!;
    steps.push(`'${step.specifier}' (${step.to})`);
    if (step.to === start || seen.has(step.to)) break;
    seen.add(step.to);
    at = step.to;
  }
  return `cycle: ${steps.join(' -> ')}`;
}

/** Package name of a bare specifier: `@azure/storage-blob/x` -> `@azure/storage-blob`. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Imports of packages outside the one folder allowed to use them: task-lib
 * only in shared/edge (and the task entry points), the Azure SDK only in
 * shared/azure. Type-only imports count too: an SDK type in a domain module
 * ties its shape to the SDK's, which is what the adapters are there to absorb.
 */
export function misplacedPackageImports(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const pkg = packageOf(edge.specifier);
    if (pkg === undefined) continue;
    const layer = layerOf(edge.from);
    if (pkg === 'azure-pipelines-task-lib' && edge.from.startsWith('shared/') && layer !== 'edge') {
      problems.push(`${edge.from} imports '${edge.specifier}': only shared/edge talks to the agent`);
    }
    if (pkg.startsWith('@azure/') && edge.from.startsWith('shared/') && layer !== 'azure') {
      problems.push(`${edge.from} imports '${edge.specifier}'${edge.typeOnly ? ' (type only)' : ''}: only shared/azure uses the Azure SDK`);
    }
  }
  return problems;
}

/** Imports from product code (shared/, tasks/) into test/ or scripts/. */
export function productImportsOfTooling(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((edge) => (edge.from.startsWith('shared/') || edge.from.startsWith('tasks/')) && edge.to !== undefined && /^(test|scripts)\//.test(edge.to))
    .map((edge) => `${edge.from} imports '${edge.specifier}' (${edge.to})`);
}
