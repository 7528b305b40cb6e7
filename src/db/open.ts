import type { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { lockDataDir } from './data-dir-lock.js';
import { startEmbeddedPostgres } from './embedded.js';
import { openOrm } from './orm.js';

export interface OpenDatabase {
  orm: MikroORM<PostgreSqlDriver>;
  /** The connection URL, for a connection of one's own (the change bus's LISTEN). */
  url: string;
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
    const orm = await openOrm({ url: database.url, poolMax: poolMax ?? database.poolMax, timeouts: database.timeouts, logger });
    return { orm, url: database.url, close: () => orm.close(true) };
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
