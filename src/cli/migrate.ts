import 'reflect-metadata';
import { parseConfig, readEnvironment } from '../config.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrate, openOrm } from '../db/orm.js';

// Applies pending migrations to DATABASE_URL, or to the embedded database when it is not set.
const { database } = parseConfig(readEnvironment());
const embedded = database.kind === 'embedded' ? await startEmbeddedPostgres(database.dataDir) : null;
const orm = await openOrm({ url: embedded?.url ?? (database.kind === 'server' ? database.url : ''), poolMax: 1 });
try {
  const applied = await migrate(orm);
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
} finally {
  await orm.close(true);
  await embedded?.close();
}
