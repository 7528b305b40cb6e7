import 'reflect-metadata';
import { openDatabaseForCli } from './open-database.js';
import { runCli } from './run.js';

// Writes a migration for the difference between the entities and the migrated database
// (DATABASE_URL, or the embedded one). Add the new class to src/db/migrations/index.ts. Development only.
const command = 'npm run migration:create';
await runCli(command, async () => {
  const name = process.argv[2];
  const db = await openDatabaseForCli(command);
  try {
    await db.migrate();
    const result = await db.orm.getMigrator().createMigration('src/db/migrations', false, false, name);
    process.stdout.write(result.fileName ? `Wrote src/db/migrations/${result.fileName}\n` : 'No changes.\n');
  } finally {
    await db.close();
  }
});
