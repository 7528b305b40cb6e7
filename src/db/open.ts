import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { lockDataDir } from './data-dir-lock.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrate, openOrm } from './orm.js';

export interface OpenDatabase {
  orm: MikroORM<PostgreSqlDriver>;
  /** The URL of a session of one's own, never a pooler's (the change bus's LISTEN). */
  url: string;
  /** Applies pending migrations on a session of their own; returns their names. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Opens the configured database: the Postgres server at DATABASE_URL, or the embedded one, whose
 * data directory this process then holds alone until close(). The server and every CLI open it here.
 */
export async function openDatabase(
  database: Config['database'],
  { owner, poolMax, logger }: { owner: string; poolMax?: number; logger?: Logger },
): Promise<OpenDatabase> {
  if (database.kind === 'server') {
    const { url, directUrl, pooled, preparedStatements, timeouts } = database;
    const orm = await openOrm({ url, poolMax: poolMax ?? database.poolMax, timeouts, pooled, preparedStatements, logger });
    return {
      orm,
      url: directUrl,
      // Through a pooler, a migration's transaction and the migrator's own statements could each land
      // on another server connection: they run on one direct connection, opened for them alone.
      migrate: async () => {
        if (!pooled) return migrate(orm);
        const direct = await openOrm({ url: directUrl, poolMax: 1, timeouts, logger });
        try {
          return await migrate(direct);
        } finally {
          await direct.close(true);
        }
      },
      close: () => orm.close(true),
    };
  }
  const unlock = lockDataDir(database.dataDir, owner);
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  try {
    embedded = await startEmbeddedPostgres(database.dataDir);
    // PGlite runs one query at a time: a pool of one.
    const orm = await openOrm({ url: embedded.url, poolMax: 1, timeouts: database.timeouts, logger });
    const { url } = embedded;
    return {
      orm,
      url,
      migrate: () => migrate(orm),
      async close() {
        await orm.close(true).catch(() => undefined);
        await embedded?.close();
        unlock();
      },
    };
  } catch (error) {
    await embedded?.close().catch(() => undefined);
    unlock();
    throw error;
  }
}
