import 'reflect-metadata';
import { migrate } from '../db/orm.js';
import { openDatabaseForCli } from './open-database.js';

// Applies pending migrations to DATABASE_URL, or to the embedded database when it is not set.
const db = await openDatabaseForCli('npm run migrate');
const { orm } = db;
try {
  const applied = await migrate(orm);
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
} finally {
  await db.close();
}
