import 'reflect-metadata';
import { openDatabaseForCli } from './open-database.js';

// Applies pending migrations to DATABASE_DIRECT_URL (else DATABASE_URL), or to the embedded database when neither is set.
const db = await openDatabaseForCli('npm run migrate');
try {
  const applied = await db.migrate();
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
} finally {
  await db.close();
}
