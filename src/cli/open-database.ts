import { parseConfig, readEnvironment } from '../config.js';
import { DataDirInUseError } from '../db/data-dir-lock.js';
import { openDatabase, type OpenDatabase } from '../db/open.js';

/**
 * The database a CLI command works on (DATABASE_URL, or the embedded one). When the server holds the
 * embedded database, says so and exits 1 before anything is written.
 */
export async function openDatabaseForCli(command: string): Promise<OpenDatabase> {
  const { database } = parseConfig(readEnvironment());
  try {
    return await openDatabase(database, { owner: command, poolMax: 1 });
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    process.stderr.write(
      `${command}: nothing was changed. ${error.message}\n` +
        `With the embedded database, stop the server, run ${command}, then start the server again.\n`,
    );
    process.exit(1);
  }
}
