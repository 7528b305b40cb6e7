import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm } from '../../src/db/orm.js';
import { rows, sqlState, statement, transaction } from '../../src/db/sql.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * The three ways a statement can reach Postgres (see StatementMode in src/db/sql.ts) must give the same
 * rows and the same statement timeout. The pooled mode needs no pooler to be checked: what makes it safe
 * behind one is that it never relies on the session, which a plain connection shows as well as PgBouncer
 * (CI also runs the session, progress and subscription suites through PgBouncer in transaction mode).
 */
const modes = {
  'session, named statements': { pooled: false, preparedStatements: true },
  'session, unnamed statements': { pooled: false, preparedStatements: false },
  'pooled, unnamed statements': { pooled: true, preparedStatements: false },
} as const;

const timeouts = { acquireMs: 2000, statementMs: 400 };
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const orms = new Map<string, MikroORM<PostgreSqlDriver>>();
beforeAll(async () => {
  database = await createTestDatabase();
  for (const [name, mode] of Object.entries(modes)) {
    // One connection each, so a session setting left behind would show on the next statement.
    orms.set(name, await openOrm({ url: database.url, poolMax: 1, timeouts, ...mode }));
  }
});
afterAll(async () => {
  for (const orm of orms.values()) await orm.close(true);
  await database?.drop();
});

const em = (name: string) => orms.get(name)!.em.fork() as EntityManager;

const ECHO = statement<{ list: (string | null)[]; one: string; at: Date; nothing: null; doc: string }>(`
  select k.v, k.i, :one::text as one, :at::timestamptz as at, :nothing::text as nothing, :doc::jsonb as doc
  from unnest(:list::text[]) with ordinality as k(v, i) order by k.i`);
const SLEEP = statement<{ seconds: string }>('select pg_sleep(:seconds::float8) as slept');
const TIMEOUT_NOW = statement<{ none: null }>(`select current_setting('statement_timeout') as timeout, :none::text as none`);
const PREPARED = statement<{ none: null }>('select count(*)::int as named, :none::text as none from pg_prepared_statements');

describe.each(Object.keys(modes))('statements sent as "%s"', (mode) => {
  it('give back exactly what they were given: quotes, backslashes, braces, commas, NULL, Unicode', async () => {
    // Postgres text cannot hold NUL (the API refuses it before any statement: test/input).
    const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 5 }), text, async (list, one) => {
        const at = new Date('2026-12-08T01:02:03.456Z');
        const doc = JSON.stringify({ one, list });
        const got = await rows(em(mode), ECHO, { list, one, at, nothing: null, doc });
        expect(got.map((r) => r.v)).toEqual(list);
        for (const row of got) {
          expect(row).toMatchObject({ one, nothing: null, doc: { one, list } });
          expect(new Date(row.at as string).toISOString()).toBe(at.toISOString());
        }
      }),
      { numRuns: 40 },
    );
  });

  it('are cancelled past DATABASE_STATEMENT_TIMEOUT_MS, outside and inside a transaction', async () => {
    const sleep = (e: EntityManager) =>
      rows(e, SLEEP, { seconds: '2' }).then(
        () => 'finished',
        (error: unknown) => sqlState(error),
      );
    // 57014: query_canceled, what statement_timeout raises.
    expect(await sleep(em(mode))).toBe('57014');
    expect(await transaction(em(mode), (tx) => sleep(tx)).catch((error: unknown) => sqlState(error))).toBe('57014');
    // The connection is still good afterwards.
    expect(await rows(em(mode), SLEEP, { seconds: '0' })).toHaveLength(1);
  });
});

describe('through a pooler', () => {
  it('leave the session as they found it: the timeout is set for each transaction and statement only', async () => {
    const [row] = await rows(em('pooled, unnamed statements'), TIMEOUT_NOW, { none: null });
    // Inside the statement's own SET LOCAL the timeout is set; it is what the statement itself reads.
    expect(row?.timeout).toBe('400ms');
    const session = await em('pooled, unnamed statements').getConnection().execute(`show statement_timeout`);
    expect(session).toEqual([{ statement_timeout: '0' }]);
    const inTransaction = await transaction(em('pooled, unnamed statements'), (tx) => rows(tx, TIMEOUT_NOW, { none: null }));
    expect(inTransaction[0]?.timeout).toBe('400ms');
    expect(await em('pooled, unnamed statements').getConnection().execute(`show statement_timeout`)).toEqual([
      { statement_timeout: '0' },
    ]);
  });

  it('leave no named prepared statement behind unless they are turned on', async () => {
    const count = async (mode: string) =>
      (await transaction(em(mode), (tx) => rows(tx, PREPARED, { none: null })))[0]?.named as number;
    expect(await count('session, named statements')).toBeGreaterThan(0);
    expect(await count('session, unnamed statements')).toBe(0);
    expect(await count('pooled, unnamed statements')).toBe(0);
  });
});
