import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

/**
 * The rules of docs/ARCHITECTURE.md as checks over a source tree, read as text: test/unit/architecture.test.ts
 * runs them on src/ and on the deliberately broken trees under test/fixtures/architecture/, so each rule is
 * seen to fail on the violation it names.
 */

/** A tree's .ts files, by path relative to its root (posix separators), generated code left out. */
export type SourceTree = Map<string, string>;

export function readTree(root: string): SourceTree {
  const tree: SourceTree = new Map();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(path);
      } else if (entry.name.endsWith('.ts')) {
        tree.set(relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8'));
      }
    }
  };
  walk(root);
  return tree;
}

/** The text without comments, so a rule is not tripped by prose ("read from session…"). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/**
 * What a file imports, as specifiers: static imports and re-exports (type-only ones included: they are
 * dependencies too), side-effect imports, and dynamic `import()` with a literal specifier.
 */
export function specifiersOf(text: string): string[] {
  const body = code(text);
  const found = [
    ...body.matchAll(/\b(?:from|import)\s+['"]([^'"]+)['"]/g),
    ...body.matchAll(/\bimport\s*\(\s*['"`]([^'"`$]+)['"`]\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

/** Each file → the files of the tree it imports (relative specifiers only, `.js` read as `.ts`). */
export function importGraph(tree: SourceTree): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of tree) {
    const targets = specifiersOf(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => posix.normalize(posix.join(posix.dirname(file), s.replace(/\.js$/, '.ts'))));
    graph.set(file, targets);
  }
  return graph;
}

/** Every import cycle, each as the path that closes it. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

/** `modules/<feature>/…` → feature, else undefined. */
export const featureOf = (file: string) => /^modules\/([^/]+)\//.exec(file)?.[1];
const isStore = (file: string) => file.endsWith('.store.ts');
const isResolver = (file: string) => file.endsWith('.resolver.ts');

/** No feature imports the HTTP or GraphQL plumbing or the context builder. */
export function plumbingInFeatures(tree: SourceTree): string[] {
  return [...importGraph(tree)]
    .filter(([file]) => file.startsWith('modules/'))
    .flatMap(([file, targets]) =>
      targets.filter((t) => t.startsWith('http/') || t.startsWith('graphql/') || t === 'context.ts').map((t) => `${file} → ${t}`),
    );
}

/** Where statements may run: a feature's store, the database layer, and the change bus's LISTEN/NOTIFY. */
export const mayRunStatements = (file: string) => isStore(file) || file.startsWith('db/') || file.startsWith('modules/realtime/');

/**
 * What running a statement looks like in this code base: the statement helpers of db/sql.ts, a Postgres or
 * knex client of one's own, or an EntityManager call that reads or writes (a fork, a transaction or a
 * flag check is no statement).
 */
const STATEMENT_SIGNS: [RegExp, string][] = [
  [
    /\bimport\s*(?:type\s+)?\{[^}]*\b(?:rows|firstRow|statement)\b[^}]*\}\s*from\s*['"][^'"]*db\/sql\.js['"]/,
    'db/sql statement helpers',
  ],
  [/\bfrom\s*['"](?:pg|knex|@mikro-orm\/knex)['"]/, 'a database client'],
  [
    /\b(?:em|tx|orm\.em)\s*\.\s*(?:find\w*|count|persist\w*|flush|native\w+|execute|createQueryBuilder|qb|upsert\w*|insert\w*|remove\w*|getConnection)\s*\(/,
    'an EntityManager statement',
  ],
];

/** Files outside the stores, db/ and realtime/ that run statements, with how. */
export function statementsOutsideStores(tree: SourceTree): string[] {
  return [...tree].flatMap(([file, text]) => {
    if (mayRunStatements(file)) return [];
    const body = code(text);
    return STATEMENT_SIGNS.filter(([sign]) => sign.test(body)).map(([, what]) => `${file}: ${what}`);
  });
}

/** Resolvers that import a store (directly; they go through a service). */
export function resolversImportingStores(tree: SourceTree): string[] {
  return [...importGraph(tree)]
    .filter(([file]) => isResolver(file))
    .flatMap(([file, targets]) => targets.filter(isStore).map((t) => `${file} → ${t}`));
}

/**
 * An upward arrow inside modules/: a file importing another feature's resolver. A resolver is the top of
 * its feature (only graphql/schema.ts gathers them), so a feature that needs another's behaviour imports
 * its service, never its resolver.
 */
export function upwardArrows(tree: SourceTree): string[] {
  return [...importGraph(tree)]
    .filter(([file]) => featureOf(file))
    .flatMap(([file, targets]) =>
      targets.filter((t) => isResolver(t) && featureOf(t) && featureOf(t) !== featureOf(file)).map((t) => `${file} → ${t}`),
    );
}

/** Table name → owning feature, from `@Entity({ tableName })` in modules/<feature>/*.entity.ts. */
export function tableOwners(tree: SourceTree): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [file, text] of tree) {
    const feature = featureOf(file);
    if (!feature || !file.endsWith('.entity.ts')) continue;
    for (const m of text.matchAll(/@Entity\(\s*\{[^}]*\btableName:\s*['"](\w+)['"]/g)) owners.set(m[1]!, feature);
  }
  return owners;
}

/** Entity class name → its table, from the same declarations. */
function entityTables(tree: SourceTree): Map<string, string> {
  const classes = new Map<string, string>();
  for (const [file, text] of tree) {
    if (!file.endsWith('.entity.ts')) continue;
    for (const m of text.matchAll(/@Entity\(\s*\{[^}]*\btableName:\s*['"](\w+)['"][^}]*\}\s*\)[\s\S]*?\bclass\s+(\w+)/g)) {
      classes.set(m[2]!, m[1]!);
    }
  }
  return classes;
}

/** The tables a store's code names: in SQL (after from/join/into/update/using) and as the entity of an ORM call. */
export function tablesNamedBy(text: string, tables: Map<string, string>, classes: Map<string, string>): Set<string> {
  const body = code(text).toLowerCase();
  const named = new Set<string>();
  for (const m of body.matchAll(/\b(?:from|join|into|update|using)\s+"?(\w+)"?/g)) if (tables.has(m[1]!)) named.add(m[1]!);
  for (const m of code(text).matchAll(/\bem\s*\.\s*\w+\s*\(\s*(\w+)\b/g)) {
    const table = classes.get(m[1]!);
    if (table) named.add(table);
  }
  return named;
}

/** A store naming a table another feature owns, as `store → table (owner)`. */
export function crossingsOfStores(tree: SourceTree): string[] {
  const owners = tableOwners(tree);
  const classes = entityTables(tree);
  return [...tree]
    .filter(([file]) => isStore(file) && featureOf(file))
    .flatMap(([file, text]) =>
      [...tablesNamedBy(text, owners, classes)]
        .filter((table) => owners.get(table) !== featureOf(file))
        .map((table) => `${file} → ${table} (${owners.get(table)})`),
    );
}

export const MAX_LINES = 250;

/** Files over MAX_LINES lines, with their length. */
export function longFiles(tree: SourceTree): string[] {
  return [...tree]
    .map(([file, text]) => [file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0)] as const)
    .filter(([, lines]) => lines > MAX_LINES)
    .map(([file, lines]) => `${file} (${lines} lines)`);
}

/** Path of the fixtures directory, for the tests. */
export const fixturesDir = join(dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'architecture');
