import 'reflect-metadata';
import { openDatabaseForCli } from './open-database.js';

// Writes a migration for the difference between the entities and the migrated database
// (DATABASE_URL, or the embedded one). Add the new class to src/db/migrations/index.ts.
const name = process.argv[2];
const db = await openDatabaseForCli('npm run migration:create');
const { orm } = db;
try {
  await db.migrate();
  const result = await orm.getMigrator().createMigration('src/db/migrations', false, false, name);
  process.stdout.write(result.fileName ? `Wrote src/db/migrations/${result.fileName}\n` : 'No changes.\n');
} finally {
  await db.close();
}
