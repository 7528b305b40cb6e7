import 'reflect-metadata';
import { migrate } from '../db/orm.js';
import { openDatabaseForCli } from './open-database.js';
import { commandName, runCli } from './run.js';

// Applies pending migrations to DATABASE_URL, or to the embedded database when it is not set. Reads only
// the database settings. In the image: node dist/cli/migrate.js.
const command = commandName('migrate');
await runCli(command, async () => {
  const db = await openDatabaseForCli(command);
  try {
    const applied = await migrate(db.orm);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await db.close();
  }
});
