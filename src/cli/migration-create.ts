import 'reflect-metadata';
import { parseConfig, readEnvironment } from '../config.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrate, openOrm } from '../db/orm.js';

// Writes a migration for the difference between the entities and the migrated database
// (DATABASE_URL, or the embedded one). Add the new class to src/db/migrations/index.ts.
const name = process.argv[2];
const { database } = parseConfig(readEnvironment());
const embedded = database.kind === 'embedded' ? await startEmbeddedPostgres(database.dataDir) : null;
const orm = await openOrm({ url: embedded?.url ?? (database.kind === 'server' ? database.url : ''), poolMax: 1 });
try {
  await migrate(orm);
  const result = await orm.getMigrator().createMigration('src/db/migrations', false, false, name);
  process.stdout.write(result.fileName ? `Wrote src/db/migrations/${result.fileName}\n` : 'No changes.\n');
} finally {
  await orm.close(true);
  await embedded?.close();
}
