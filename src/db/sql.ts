import { createHash } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Client, QueryResult } from 'pg';

/**
 * The one way Tollgate runs hand-written SQL. A statement names its parameters (`:userId`) and is
 * compiled once to MikroORM's positional form; `rows` and `firstRow` always run it on the
 * transaction the EntityManager holds, so a store call made inside `transaction()` is inside it.
 * (`em.getConnection().execute` alone does not: it takes a free pool connection unless handed the
 * transaction context.)
 */
export interface Statement<P, R> {
  /** The SQL as written, with `:name` parameters; the column test reads this. */
  readonly source: string;
  /** The SQL with a `?` per parameter, in order. */
  readonly text: string;
  readonly names: readonly string[];
  /** Reads only: the SQL with `$1…$n`, prepared once per pool connection under `name` (see rows()). */
  readonly prepared?: { name: string; text: string };
  /** Phantom: the parameter and row types travel with the statement. */
  readonly types?: { params: P; row: R };
}

export type ParamsOf<S> = S extends Statement<infer P, unknown> ? P : never;

// `:name`, but not the second colon of a `::type` cast nor a colon inside a word.
const PARAMETER = /(?<![:\w]):([A-Za-z][A-Za-z0-9]*)/g;

/** Every statement defined, so one test can check their columns against the entities. */
export const definedStatements: Statement<unknown, unknown>[] = [];

export interface StatementOptions {
  /**
   * Prepare a write too. Only for a statement whose every parameter gets its type from where it
   * stands (a column it is compared with or written to) or from a cast (`:now::timestamptz`): a
   * prepared parameter carries no type of its own, where MikroORM's inlined literal would be coerced.
   */
  prepare?: boolean;
}

export function statement<P extends object, R = Record<string, unknown>>(
  source: string,
  options: StatementOptions = {},
): Statement<P, R> {
  // MikroORM reads every `?` as a positional parameter, string literals included.
  if (source.includes('?')) throw new Error(`Use a :name parameter instead of "?" in: ${source.trim().slice(0, 80)}`);
  const names: string[] = [];
  const text = source.replace(PARAMETER, (_match, name: string) => {
    names.push(name);
    return '?';
  });
  let n = 0;
  const numbered = source.replace(PARAMETER, () => `$${++n}`);
  // Writes stay on MikroORM's path unless they opt in (see StatementOptions): it inlines values as
  // literals, which Postgres coerces to whatever type the place they stand in needs.
  const isRead = /^\s*(with\b[\s\S]*\)\s*)?select\b/i.test(source) && !/\b(insert|update|delete)\b/i.test(source);
  const prepared =
    isRead || options.prepare
      ? { name: `tollgate_${createHash('sha256').update(numbered).digest('hex').slice(0, 16)}`, text: numbered }
      : undefined;
  const compiled: Statement<P, R> = { source, text, names, ...(prepared ? { prepared } : {}) };
  definedStatements.push(compiled as Statement<unknown, unknown>);
  return compiled;
}

function valuesOf(st: Statement<unknown, unknown>, params: object): unknown[] {
  return st.names.map((name) => {
    const value = (params as Record<string, unknown>)[name];
    // A missing parameter would bind NULL silently; null itself is a deliberate value.
    if (value === undefined) throw new Error(`SQL parameter :${name} has no value`);
    return value;
  });
}

/**
 * How statements reach the server, set once per ORM by openOrm (a WeakMap on the ORM's one connection
 * object rather than a module-level setting: two ORMs in one process, as in the tests, may differ).
 */
export interface StatementMode {
  /** Named prepared statements, parsed once per connection; false: unnamed ones, parsed per call. */
  prepared: boolean;
  /**
   * null: each pooled connection's session carries statement_timeout (set once when it opens). A number:
   * a transaction-mode pooler may give every transaction another server connection, so each transaction
   * sets it with SET LOCAL, and a statement outside one is sent with its own SET LOCAL in one message.
   */
  localTimeoutMs: number | null;
}

const modes = new WeakMap<object, StatementMode>();
const sessionMode: StatementMode = { prepared: true, localTimeoutMs: null };

export function setStatementMode(em: EntityManager, mode: StatementMode): void {
  modes.set(em.getConnection(), mode);
}

const modeOf = (em: EntityManager) => modes.get(em.getConnection()) ?? sessionMode;

/** Runs the statement in `em`'s transaction when it has one; returns every row. */
export function rows<P extends object, R>(em: EntityManager, st: Statement<P, R>, params: P): Promise<R[]> {
  const values = valuesOf(st as Statement<unknown, unknown>, params);
  const inTransaction = em.getTransactionContext<Knex.Transaction>();
  const mode = modeOf(em);
  if (!inTransaction && mode.localTimeoutMs !== null) return timedRows<R>(em, st.text, values, mode.localTimeoutMs);
  if (st.prepared && values.every(isBindable)) {
    const { name, text } = st.prepared;
    return preparedRows<R>(em, inTransaction, mode.prepared ? { name, text } : { text }, values.map(isoDate));
  }
  return em.getConnection().execute<R[]>(st.text, values, 'all', inTransaction);
}

/**
 * A statement outside a transaction, through a pooler: `SET LOCAL statement_timeout` and the statement
 * in one simple-protocol message, which Postgres runs as one implicit transaction, so the timeout holds
 * on whichever server connection the pooler picks, for this statement only, at no extra round trip.
 * The simple protocol takes no parameters: values are inlined by MikroORM's own formatter, as its
 * execute() does for every statement that is not prepared.
 */
async function timedRows<R>(em: EntityManager, text: string, values: unknown[], timeoutMs: number): Promise<R[]> {
  const inlined = em.getPlatform().formatQuery(text, values.map(arrayLiteral));
  const sql = `set local statement_timeout = ${Math.trunc(timeoutMs)}; ${inlined}`;
  const { client: clients } = em.getConnection().getKnex() as unknown as { client: PooledClients };
  const connection = await clients.acquireConnection();
  try {
    const results = (await connection.query(sql)) as unknown as QueryResult[];
    return (results[results.length - 1]?.rows ?? []) as R[];
  } finally {
    await clients.releaseConnection(connection);
  }
}

/**
 * A prepared statement (named, or unnamed when prepared statements are off), on the transaction's connection or else on a pool connection: MikroORM's
 * execute formats every value into the SQL text and runs it through knex, which cost more CPU than the
 * rest of a `me` request; Postgres also parses and plans a named statement once per connection instead
 * of per call. The connection is MikroORM's own (same pool, same type parsers), so rows come back alike.
 */
async function preparedRows<R>(
  em: EntityManager,
  inTransaction: Knex.Transaction | undefined,
  prepared: { name?: string; text: string },
  values: unknown[],
): Promise<R[]> {
  // A knex transaction's client hands out the transaction's own connection and never releases it.
  const { client: clients } = (inTransaction ?? em.getConnection().getKnex()) as unknown as { client: PooledClients };
  const connection = await clients.acquireConnection();
  try {
    // Without a name, pg sends an unnamed statement: parsed for this call only, safe on any pooler.
    const result: QueryResult = await connection.query({ ...prepared, values });
    return result.rows as R[];
  } finally {
    await clients.releaseConnection(connection);
  }
}

/**
 * A Date as ISO 8601 in UTC, the instant pg would send: pg's own conversion builds a local-time string
 * piece by piece, which showed in a progress report's profile at a tenth of the statement's cost.
 */
const isoDate = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

interface PooledClients {
  acquireConnection(): Promise<Client>;
  releaseConnection(connection: Client): Promise<unknown>;
}

/**
 * Values pg binds the same way MikroORM would have inlined them (a list of strings or nulls as a Postgres
 * array, for `= any(:list::text[])` and `unnest(...)`); anything else takes MikroORM's path.
 */
const isBindable = (value: unknown) =>
  value === null ||
  value instanceof Date ||
  ['string', 'number', 'boolean'].includes(typeof value) ||
  (Array.isArray(value) && value.every((item) => item === null || typeof item === 'string'));

/**
 * A list of strings as one Postgres array literal ('{"a","b"}'), as pg binds it on the prepared path:
 * MikroORM's formatter spreads a list into comma-separated values (for `in (?)`), which `:list::text[]`
 * cannot take. Anything else is left to the formatter.
 */
function arrayLiteral(value: unknown): unknown {
  if (!Array.isArray(value) || !value.every((item) => item === null || typeof item === 'string')) return value;
  const items = value.map((item: string | null) => (item === null ? 'NULL' : `"${item.replace(/[\\"]/g, '\\$&')}"`));
  return `{${items.join(',')}}`;
}

/** The first row, or undefined. */
export async function firstRow<P extends object, R>(em: EntityManager, st: Statement<P, R>, params: P): Promise<R | undefined> {
  return (await rows(em, st, params))[0];
}

/**
 * Runs `work` in one transaction (MikroORM's `em.transactional`, which forks `em`); stores called with the
 * fork join it. On Node 20 this was hand-rolled to keep MikroORM's AsyncLocalStorage off request paths (the
 * first one entered switched promise hooks on for good: `me` 0.74 -> 0.97 ms of CPU). Node 24 runs
 * AsyncLocalStorage on AsyncContextFrame, without promise hooks; measured with bench/ab.ts (five repeats,
 * server CPU per request, hand-rolled -> em.transactional): me 0.222 -> 0.213 ms, refresh 0.42 -> 0.41 ms,
 * login 25.8 -> 25.5 ms (main thread 2.9 -> 2.5) — no cost left to avoid, so the plain path is back.
 */
export async function transaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  // Called inside a transaction (a service that ends sessions as part of a larger change): join it. A
  // second transaction on another connection would wait on the first one's row locks until it timed out.
  if (em.isInTransaction()) return work(em);
  return em.transactional(async (tx) => {
    // Behind a transaction-mode pooler the timeout cannot be a session setting: it is set for this transaction.
    const { localTimeoutMs } = modeOf(em);
    if (localTimeoutMs !== null)
      await tx
        .getConnection('write')
        .execute(`set local statement_timeout = ${Math.trunc(localTimeoutMs)}`, [], 'run', tx.getTransactionContext());
    return work(tx);
  });
}

type DatabaseError = { code?: unknown; constraint?: string; message?: string; cause?: unknown };

/** A database error and what it wraps, outermost first: pg's own, or MikroORM's around it. */
function* causes(error: unknown): Generator<DatabaseError> {
  let current = error as DatabaseError | undefined;
  for (let depth = 0; current && depth < 3; depth++) {
    yield current;
    current = current.cause as DatabaseError | undefined;
  }
}

/** The SQLSTATE of a database error, whether pg's own or wrapped by MikroORM. */
export function sqlState(error: unknown): string | undefined {
  for (const { code } of causes(error)) if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

/** The unique constraint a UNIQUE_VIOLATION broke, by name: pg's field, or MikroORM's message; '' if neither says. */
export function violatedUniqueConstraint(error: unknown): string {
  for (const { constraint, message } of causes(error)) {
    const name = constraint ?? /"([a-z_]+_unique)"/.exec(message ?? '')?.[1];
    if (name) return name;
  }
  return '';
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const DEADLOCK_DETECTED = '40P01';

/**
 * A failure that one row of a batched write can cause — bad data (class 22), a broken constraint (class 23),
 * a deadlock with another instance's batch — after which the batch's writes are made one by one, so each
 * request gets its own answer and no request fails for another's row.
 */
export function isRowFailure(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23') || state === DEADLOCK_DETECTED);
}

/** MikroORM has pg hand timestamps back as text ("2026-11-22 00:57:29.123+00"); raw rows need converting. */
export type PgTime = string | Date;
export function pgDate(value: PgTime): Date;
export function pgDate(value: PgTime | null): Date | null;
export function pgDate(value: PgTime | null): Date | null {
  if (value === null || value instanceof Date) return value;
  // The usual case, as the UTC session writes it ("2026-11-22 00:57:29.123456+00"): two slices instead of
  // two regular-expression replaces, on every authenticated request's user row.
  if (value.length > 19 && value[10] === ' ' && value.endsWith('+00'))
    return new Date(`${value.slice(0, 10)}T${value.slice(11, -3)}Z`);
  return new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}
