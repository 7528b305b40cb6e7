import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiled } from './build.js';
import { spreadOf, type Spread } from './cpu.js';
import { inTurns, type InTurns, type Measured } from './measure.js';
import { argon2Env, memoryMB, spawnTs, stop } from './servers.js';

/** The baselines Tollgate's numbers are divided by; each runs in its own process, like the service. */

export interface Timing {
  seconds: number;
  warmupSeconds: number;
  repeats: number;
}

const ME = JSON.stringify({ query: '{ me { id email } }' });

export interface FloorServer {
  /** Its repeats, to be taken in turn with those of the scenarios compared with it (see run.ts). */
  turns: InTurns;
  result(): Measured & { rssMB?: number };
  stop(): Promise<void>;
}

/**
 * Floor a (constant answer) when `lookup` is absent; floor b (one primary-key select) when present: started
 * and warmed up, then measured a repeat at a time. Each runs in its own process, like the service.
 */
export async function startFloorServer(
  name: string,
  timing: Timing,
  lookup?: { databaseUrl: string; userId: string },
): Promise<FloorServer> {
  const child = spawnTs(name, compiled('bench/floor-server.ts'), {
    NODE_ENV: 'production',
    UV_THREADPOOL_SIZE: '2',
    ...(lookup ? { FLOOR_DATABASE_URL: lookup.databaseUrl, FLOOR_USER_ID: lookup.userId } : {}),
  });
  try {
    const { port } = await withTimeout(child.firstJsonLine(), 60_000, `${name} did not report its port`);
    if (typeof port !== 'number') throw new Error(`${name} reported no port`);
    const turns = await inTurns({
      pid: child.pid,
      url: `http://127.0.0.1:${port}`,
      connections: 50,
      ...timing,
      connection: () => ({ body: ME }),
    });
    return {
      turns,
      // For comparison with Tollgate's: the part of its memory that Node and Apollo take anyway.
      result: () => ({ ...turns.result(), rssMB: memoryMB(child.pid)?.rss }),
      stop: async () => void (await stop(child)),
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

export interface Argon2Floor {
  loops: number;
  threadpool: number;
  verifies: number;
  /** Medians over the repeats. */
  verifiesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the floor's process per verification (all threads), median of the repeats. */
  cpuMsPerVerify: number | null;
  cpuSpread: Spread | null;
  repeats: { verifies: number; verifiesPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerVerify: number | null }[];
}

/** What one floor process prints: how it ran, and each repeat's figures; summariseArgon2 makes the floor of them. */
export type Argon2Run = Pick<Argon2Floor, 'loops' | 'threadpool' | 'repeats'>;

async function runArgon2(timing: Timing): Promise<Argon2Run> {
  const child = spawnTs('argon2-floor', compiled('bench/argon2-floor.ts'), {
    UV_THREADPOOL_SIZE: '2',
    ARGON2_FLOOR_SECONDS: String(timing.seconds),
    ARGON2_FLOOR_WARMUP_SECONDS: String(Math.min(2, timing.warmupSeconds)),
    ARGON2_FLOOR_REPEATS: String(timing.repeats),
    ...argon2Env(),
  });
  try {
    const line = await withTimeout(
      child.firstJsonLine(),
      (timing.seconds * timing.repeats + timing.warmupSeconds + 60) * 1000,
      'argon2 floor did not finish',
    );
    if (!Array.isArray(line.repeats)) throw new Error(`argon2 floor printed ${JSON.stringify(line)}`);
    return line as unknown as Argon2Run;
  } finally {
    await stop(child);
  }
}

/** The argon2 floor's repeats, all in one process. */
export async function measureArgon2(timing: Timing): Promise<Argon2Floor | null> {
  return summariseArgon2([await runArgon2(timing)]);
}

/**
 * One repeat of the argon2 floor in a process of its own, to be taken in turn with `login`'s repeats: this
 * machine's speed drifts by 10–25 % over minutes (the floor measured 22.1, 25.0, 24.3 and 27.8 ms per
 * verification in four runs within the hour), which a floor measured minutes before its scenario turns
 * into a ratio. Each process also lands its 19 MB hashes in memory afresh, as the server's pool threads do.
 */
export function measureArgon2Once(timing: Timing): Promise<Argon2Run> {
  return runArgon2({ ...timing, repeats: 1 });
}

/** The floor from the repeats of one or more runs: medians over all of them; null when there were none. */
export function summariseArgon2(runs: Argon2Run[]): Argon2Floor | null {
  const [first] = runs;
  if (!first) return null;
  const repeats = runs.flatMap((p) => p.repeats);
  const median = (pick: (r: Argon2Floor['repeats'][number]) => number | null) =>
    spreadOf(repeats.map(pick).filter((v): v is number => v !== null));
  const cpuSpread = median((r) => r.cpuMsPerVerify);
  return {
    loops: first.loops,
    threadpool: first.threadpool,
    verifies: repeats.reduce((n, r) => n + r.verifies, 0),
    verifiesPerSec: median((r) => r.verifiesPerSec)?.median ?? 0,
    p50Ms: median((r) => r.p50Ms)?.median ?? 0,
    p99Ms: median((r) => r.p99Ms)?.median ?? 0,
    cpuMsPerVerify: cpuSpread?.median ?? null,
    cpuSpread,
    repeats,
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** CPU of one request log line at info, in a process of its own (see log-line.ts). */
export async function measureLogLine(): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const result = join(dir, 'log-line.json');
  try {
    const child = spawnTs('log-line', compiled('bench/log-line.ts'), { NODE_ENV: 'production', LOG_LINE_RESULT: result }, [], {
      announces: false,
    });
    const code = await withTimeout(child.exited, 120_000, 'the log-line measurement did not finish');
    if (code !== 0) throw new Error(`the log-line measurement exited ${code}:\n${child.output().slice(-2000)}`);
    return (JSON.parse(readFileSync(result, 'utf8')) as { lineCpuMs: number | null }).lineCpuMs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
