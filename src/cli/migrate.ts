import 'reflect-metadata';
import { openDatabaseForCli } from './open-database.js';
import { commandName, runCli } from './run.js';

// Applies pending migrations to DATABASE_DIRECT_URL (else DATABASE_URL), or to the embedded database when neither is set. Reads only
// the database settings. In the image: node dist/cli/migrate.js.
const command = commandName('migrate');
await runCli(command, async () => {
  const db = await openDatabaseForCli(command);
  try {
    const applied = await db.migrate();
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await db.close();
  }
});
