import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  /** What holds it: "the server", "npm run admin", … */
  owner: string;
  since: string;
}

/** The embedded data directory is held by another live process. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `${holder.owner} (pid ${holder.pid}, since ${holder.since})` : 'another process';
    super(
      `The embedded database in ${dataDir} is in use by ${who}. PGlite lets one process open it at a time: ` +
        `stop that process first${holder ? ` (Ctrl-C in its terminal, or kill ${holder.pid})` : ''}, ` +
        'or set DATABASE_URL to a Postgres server, which any number of processes can share.',
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Takes the data directory for this process, or throws DataDirInUseError naming the holder. Two
 * processes on one PGlite directory each keep their own copy in memory and the last checkpoint wins,
 * so the second one's writes would be lost without a word. A lock left by a process that died is
 * taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string, owner: string): () => void {
  // On a fresh machine the directory does not exist yet: the first start creates it, then locks it.
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'tollgate.lock');
  const mine: LockHolder = { pid: process.pid, owner, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DataDirInUseError(dataDir, readHolder(path));
        throw error;
      }
      const holder = readHolder(path);
      if (holder ? isAlive(holder.pid) : isFresh(path)) throw new DataDirInUseError(dataDir, holder);
      unlinkSync(path);
    }
  }
  return () => {
    if (readHolder(path)?.pid === process.pid) unlinkSync(path);
  };
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, owner: String(parsed.owner), since: String(parsed.since) } : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// An unreadable lock is one being written this instant, unless it has been like that for a while.
function isFresh(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5000;
  } catch {
    return false;
  }
}
