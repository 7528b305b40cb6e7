import { DriverException } from '@mikro-orm/core';
import pg from 'pg';
import { stdSerializers } from 'pino';
import { sqlState } from './sql.js';

/**
 * pino's `err` serializer, except for database errors: their message carries the statement with its
 * bound values inlined (knex and MikroORM put it there) and Postgres quotes values in its own message
 * and detail ("invalid input syntax for type integer: "…"", "Key (email)=(…) already exists"). Values
 * are passwords, tokens and personal data, so a database error is logged by its SQLSTATE and where it
 * arose (routine, table, column, constraint), never by what was sent.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof DriverException || err instanceof pg.DatabaseError)) return stdSerializers.err(err as Error);
  const e = err as Partial<pg.DatabaseError> & Error;
  const frames = (e.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '));
  return {
    type: e.name,
    message: `database error ${sqlState(err) ?? 'without SQLSTATE'}`,
    sqlState: sqlState(err),
    severity: e.severity,
    routine: e.routine,
    table: e.table,
    column: e.column,
    constraint: e.constraint,
    stack: frames.join('\n'),
  };
}
