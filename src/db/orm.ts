import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
import { SecurityEvent } from '../modules/security-event/security-event.entity.js';
import { RefreshToken, Session } from '../modules/session/session.entity.js';
import { ResourceProgressRecord } from '../modules/progress/progress.entity.js';
import { OAuthAccount, OAuthState } from '../modules/oauth/oauth.entity.js';
import { ServiceAccount } from '../modules/service-account/service-account.entity.js';
import { User } from '../modules/user/user.entity.js';
import { migrationsList } from './migrations/index.js';

export const entities = [
  User,
  Session,
  RefreshToken,
  SecurityEvent,
  ResourceProgressRecord,
  ServiceAccount,
  OAuthAccount,
  OAuthState,
];

export interface OrmSettings {
  url: string;
  poolMax: number;
  logger?: Logger;
}

export function ormOptions({ url, poolMax, logger }: OrmSettings): Options<PostgreSqlDriver> {
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
    pool: { min: 0, max: poolMax },
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
  return MikroORM.init(ormOptions(settings));
}

export async function migrate(orm: MikroORM<PostgreSqlDriver>): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
