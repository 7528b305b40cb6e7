import { parseDatabaseConfig, readEnvironment } from '../config.js';
import { DataDirInUseError } from '../db/data-dir-lock.js';
import { openDatabase, type OpenDatabase } from '../db/open.js';
import { CliError } from './run.js';

/**
 * The database a CLI command works on (DATABASE_URL, or the embedded one), checked to answer before the
 * command does anything. It reads only the database settings: migrate and admin need nothing else.
 * When the server holds the embedded database, says so before anything is written.
 */
export async function openDatabaseForCli(command: string): Promise<OpenDatabase> {
  const database = parseDatabaseConfig(readEnvironment());
  let db: OpenDatabase;
  try {
    db = await openDatabase(database, { owner: command, poolMax: 1 });
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    throw new CliError(
      `nothing was changed. ${error.message} With the embedded database, stop the server, run ${command}, then start the server again.`,
    );
  }
  // Without this check a missing or unreachable database surfaces mid-command, or (for migrate) not at all.
  const check = await db.orm.checkConnection();
  if (!check.ok) {
    await db.close();
    const where = database.kind === 'server' ? withoutCredentials(database.url) : database.dataDir;
    throw new CliError(`cannot reach the database at ${where}: ${check.reason ?? 'no answer'}; nothing was changed.`);
  }
  return db;
}

/** host:port/name: enough to tell which database, without the password. */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
