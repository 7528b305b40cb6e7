import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import '../../src/app.js';
import { ormOptions } from '../../src/db/orm.js';
import { definedStatements } from '../../src/db/sql.js';

/** Table name → its columns, from the entity metadata (no database needed). */
async function entityTables(): Promise<Map<string, Set<string>>> {
  const orm = await MikroORM.init({
    ...ormOptions({ url: 'postgres://unused@127.0.0.1:1/none', poolMax: 1, timeouts: { acquireMs: 1000, statementMs: 1000 } }),
    connect: false,
  });
  try {
    const tables = new Map<string, Set<string>>();
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      if (meta.embeddable || meta.virtual || !meta.tableName) continue;
      tables.set(meta.tableName, new Set(Object.values(meta.properties).flatMap((p) => p.fieldNames ?? [])));
    }
    return tables;
  } finally {
    await orm.close(true);
  }
}

const KEYWORDS = new Set(
  `select from where and or not null is as join left on insert into values update set delete returning with in conflict do
   for nothing true false distinct order by limit asc desc case when then else end int text boolean timestamptz jsonb uuid ordinality`.split(
    /\s+/,
  ),
);
/** Postgres's system column, used for the compare-and-swap. */
const SYSTEM_COLUMNS = new Set(['xmin']);

/**
 * The names in a statement that are neither SQL keywords, functions, tables, aliases, nor columns of
 * the tables the statement reads or writes, as `table.column` for qualified ones.
 */
function unknownNames(source: string, tables: Map<string, Set<string>>): string[] {
  const sql = source
    .toLowerCase()
    .replace(/'[^']*'/g, ' ')
    .replace(/\bfor update skip locked\b/g, ' ') // a locking clause, not an update of a table "skip"
    .replace(/\bon conflict\s*\(\w+\)\s*do update set\b/g, ' set ') // an upsert's update names no table
    .replace(/::\w+/g, ' ')
    .replace(/:\w+/g, ' ')
    .replace(/\b\d+\b/g, ' ');
  const problems: string[] = [];
  const ctes = new Set([...sql.matchAll(/(?:\bwith|,)\s+(\w+)\s+as\s*\(/g)].map((m) => m[1]!));
  // A function in FROM with a column list, `unnest(…) with ordinality as k(a, b, n)`: its alias names those columns.
  const derived = new Map(
    [...sql.matchAll(/\bas\s+(\w+)\s*\(([\w\s,]+)\)/g)].map((m) => [m[1]!, new Set(m[2]!.split(',').map((c) => c.trim()))]),
  );
  const aliases = new Map<string, string>();
  const used = new Set<string>();
  for (const [, keyword, name, call, alias] of sql.matchAll(/\b(from|join|into|update)\s+(\w+)\b(\s*\()?(?:\s+(\w+))?/g)) {
    // `from unnest(…)` reads a function, not a table (`into t (…)` is a table and its columns).
    if (call && (keyword === 'from' || keyword === 'join')) continue;
    if (!name) continue;
    if (ctes.has(name)) {
      // `from claimed c`: c stands for the CTE, whose columns are checked where it selects them.
      if (alias && !KEYWORDS.has(alias)) ctes.add(alias);
      continue;
    }
    if (!tables.has(name)) {
      problems.push(`table ${name}`);
      continue;
    }
    used.add(name);
    aliases.set(name, name);
    if (alias && !KEYWORDS.has(alias)) aliases.set(alias, name);
  }
  // An upsert's `excluded` is the row proposed for the table it inserts into.
  const inserted = /\binsert into\s+(\w+)/.exec(sql)?.[1];
  if (inserted && tables.has(inserted)) aliases.set('excluded', inserted);
  const outputNames = new Set([...sql.matchAll(/\bas\s+(\w+)/g)].map((m) => m[1]!));
  for (const [, alias, column] of sql.matchAll(/\b(\w+)\.(\w+)/g)) {
    const table = aliases.get(alias!);
    // A CTE's columns are checked where the CTE selects them.
    if (!table && ctes.has(alias!)) continue;
    if (!table && derived.has(alias!)) {
      if (!derived.get(alias!)?.has(column!)) problems.push(`${alias}.${column}`);
      continue;
    }
    if (!table) problems.push(`alias ${alias}`);
    else if (!tables.get(table)?.has(column!)) problems.push(`${table}.${column}`);
  }
  const columns = new Set([...used].flatMap((t) => [...(tables.get(t) ?? [])]));
  const bare = sql.replace(/\b\w+\.\w+/g, ' ');
  for (const [, word, call] of bare.matchAll(/\b([a-z_]\w*)\b(\s*\()?/g)) {
    const known =
      KEYWORDS.has(word!) ||
      SYSTEM_COLUMNS.has(word!) ||
      columns.has(word!) ||
      tables.has(word!) ||
      ctes.has(word!) ||
      aliases.has(word!) ||
      outputNames.has(word!) ||
      [...derived.values()].some((names) => names.has(word!)) ||
      call !== undefined; // a function: count(, coalesce(, pg_notify(
    if (!known) problems.push(word!);
  }
  return [...new Set(problems)];
}

describe('hand-written SQL', () => {
  it('names only tables and columns that the entities define', async () => {
    const tables = await entityTables();
    expect(definedStatements.length).toBeGreaterThanOrEqual(12);
    const problems = definedStatements
      .map((st) => ({ sql: st.source.trim().split('\n')[0], unknown: unknownNames(st.source, tables) }))
      .filter((p) => p.unknown.length > 0);
    expect(problems).toEqual([]);
  });

  it('the check catches a misspelt column, qualified or bare, and an unknown table', async () => {
    const tables = await entityTables();
    expect(unknownNames('select u.emial from app_user u where u.id = :id', tables)).toEqual(['app_user.emial']);
    expect(unknownNames('update app_user set last_logn_at = :at where id = :id', tables)).toEqual(['last_logn_at']);
    expect(unknownNames('select k.ordd from unnest(:ids::uuid[]) with ordinality as k(id, ord)', tables)).toEqual(['k.ordd']);
    expect(unknownNames('select id from app_users', tables)).toContain('table app_users');
    expect(unknownNames('update app_user set last_login_at = :at where id = :id returning id', tables)).toEqual([]);
  });
});
