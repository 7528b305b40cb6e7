import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { PostgreSqlExceptionConverter } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/outage.js';

const ACQUIRE_TIMEOUT = 'Knex: Timeout acquiring a connection. The pool is probably full.';

/** An error as pg raises it, converted the way MikroORM converts what the driver throws. */
const converted = (message: string, fields: Record<string, unknown> = {}) =>
  new PostgreSqlExceptionConverter().convertException(Object.assign(new Error(message), fields));

describe('isDatabaseUnavailable', () => {
  it.each([
    ['the pool acquire timeout, as knex throws it', Object.assign(new Error(ACQUIRE_TIMEOUT), { name: 'KnexTimeoutError' })],
    ['the pool acquire timeout, rewrapped by MikroORM', converted(ACQUIRE_TIMEOUT)],
    ['pg giving up on connecting', converted('timeout expired')],
    ['a refused connection', converted('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['a socket that died mid-query', converted('Connection terminated unexpectedly')],
    [
      'a transaction whose connection died',
      converted('Transaction query already complete, run with DEBUG=knex:tx for more info'),
    ],
    ['the statement timeout', converted('canceling statement due to statement timeout', { code: '57014' })],
    ['the driver query timeout', converted('Query read timeout')],
    ['a server shutting down', converted('terminating connection due to administrator command', { code: '57P01' })],
    ['a database refusing connections', converted('database "x" is not currently accepting connections', { code: '55000' })],
    ['a connection exception class', converted('connection failure', { code: '08006' })],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', converted('duplicate key value', { code: '23505' })],
    ['a syntax error', converted('syntax error at or near "selec"', { code: '42601' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('sees through a cause chain', () => {
    expect(isDatabaseUnavailable(new Error('flush failed', { cause: converted('Connection terminated unexpectedly') }))).toBe(
      true,
    );
    expect(converted('duplicate key value', { code: '23505' })).toBeInstanceOf(UniqueConstraintViolationException);
    expect(converted('timeout expired')).toBeInstanceOf(DriverException);
  });
});
