import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { DatabaseTimeouts } from '../config.js';
import type { Logger } from '../logger.js';
import { SecurityEvent } from '../modules/security-event/security-event.entity.js';
import { RefreshToken, Session } from '../modules/session/session.entity.js';
import { ResourceProgressRecord } from '../modules/progress/progress.entity.js';
import { OAuthAccount, OAuthState } from '../modules/oauth/oauth.entity.js';
import { ServiceAccount } from '../modules/service-account/service-account.entity.js';
import { User } from '../modules/user/user.entity.js';
import { EmailToken } from '../modules/email-token/email-token.entity.js';
import { OutboxMail } from '../modules/mail/mail.entity.js';
import { migrationsList } from './migrations/index.js';
import { setStatementMode } from './sql.js';
import { AuditEntry } from '../modules/audit/audit.entity.js';

export const entities = [
  User,
  Session,
  RefreshToken,
  SecurityEvent,
  ResourceProgressRecord,
  ServiceAccount,
  OAuthAccount,
  OAuthState,
  EmailToken,
  OutboxMail,
  AuditEntry,
];

export interface OrmSettings {
  url: string;
  poolMax: number;
  timeouts: DatabaseTimeouts;
  /** url is a pooler in transaction mode: nothing may rely on a server session outliving a transaction. */
  pooled?: boolean;
  /** Named prepared statements (default); false: unnamed ones. */
  preparedStatements?: boolean;
  logger?: Logger;
}

type PgConnection = { query(text: string, done: (err: Error | null) => void): void };

export function ormOptions({ url, poolMax, timeouts, pooled = false, logger }: OrmSettings): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    // The explicit list works alike from src/ under tsx and vitest and from dist/ under node.
    migrations: {
      migrationsList,
      transactional: true,
      allOrNothing: true,
      path: 'src/db/migrations',
      emit: 'ts',
      snapshot: false,
    },
    extensions: [Migrator],
    // A request waits at most acquireMs for a connection (including opening one) and a statement runs
    // at most statementMs, on the server (statement_timeout) and, should the server or the network
    // stop answering, in the driver (query_timeout): an outage fails requests fast instead of hanging them.
    // statement_timeout is never a startup parameter, which poolers refuse (PgBouncer: "unsupported startup
    // parameter") or drop: on a session of our own, one SET when the connection opens; through a pooler,
    // SET LOCAL in every transaction and statement (see StatementMode in sql.ts).
    pool: {
      min: 0,
      max: poolMax,
      acquireTimeoutMillis: timeouts.acquireMs,
      ...(pooled
        ? {}
        : {
            afterCreate: (connection: PgConnection, done: (err: Error | null, connection: PgConnection) => void) =>
              connection.query(`set statement_timeout = ${Math.trunc(timeouts.statementMs)}`, (err) => done(err, connection)),
          }),
    },
    driverOptions: {
      connection: {
        query_timeout: timeouts.statementMs + 1000,
        connectionTimeoutMillis: timeouts.acquireMs,
        keepAlive: true,
      },
      // knex reports a broken pooled connection on the console; into the service's log instead.
      log: {
        warn: (message: unknown) => logger?.warn({ knex: String(message) }, 'database connection problem'),
        error: (message: unknown) => logger?.error({ knex: String(message) }, 'database connection problem'),
        deprecate: () => undefined,
        debug: () => undefined,
      },
    },
    forceUtcTimezone: true,
    // The global EntityManager must not serve requests: each request forks its own.
    allowGlobalContext: false,
    debug: false,
    logger: (message) => logger?.debug({ orm: message }, 'orm'),
    ensureDatabase: false,
    discovery: { warnWhenNoEntities: true },
  };
}

export async function openOrm(settings: OrmSettings): Promise<MikroORM<PostgreSqlDriver>> {
  const orm = await MikroORM.init(ormOptions(settings));
  setStatementMode(orm.em as EntityManager, {
    prepared: settings.preparedStatements ?? true,
    localTimeoutMs: settings.pooled ? settings.timeouts.statementMs : null,
  });
  return orm;
}

export async function migrate(orm: MikroORM<PostgreSqlDriver>): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
