import { buildForBench } from './build.js';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase, type BenchDatabase } from './database.js';
import { measureArgon2, measureFloorServer } from './floors.js';
import { createWorkerKey, registerAccount, registerAccounts } from './graphql-client.js';
import { load, warmUp } from './load.js';
import { machineInfo, printReport, writeResults, type MeasuredResult, type Results, type ScenarioResult } from './report.js';
import { tollgateScenarios, type ScenarioContext } from './scenarios.js';
import { killAllSync, memoryMB, stop, stopAll } from './servers.js';
import { startTollgate, type Tollgate } from './tollgate.js';

/**
 * `npm run bench`: Tollgate in its own process on a throwaway database, loaded over loopback, next to
 * floors measured in the same run on the same machine. Exits non-zero only when the bench itself breaks.
 */

const seconds = secondsFrom('BENCH_SECONDS', 8, 1, 15);
const warmupSeconds = secondsFrom('BENCH_WARMUP_SECONDS', Math.min(2, seconds), 0, 5);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// Optional: BENCH_CPU_PROF_DIR=dir writes a .cpuprofile of the Tollgate server for the whole run.
const profileDir = process.env.BENCH_CPU_PROF_DIR;
const resultsPath = fileURLToPath(new URL('results.json', import.meta.url));

const startedAt = performance.now();
const progress = (message: string) =>
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);

let database: BenchDatabase | undefined;
let tollgate: Tollgate | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    await stopAll();
    await database?.drop().catch((error: unknown) => console.error(`could not drop ${database?.name}:`, error));
  })());

let interrupted = false;
const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
  if (interrupted) return;
  interrupted = true;
  progress(`${signal}: stopping children and dropping the database`);
  void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
// `on`, not `once`: tsx re-sends a signal it thinks went unseen, and with no listener left it would exit
// before the database is dropped.
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.once('exit', killAllSync);

async function main(): Promise<Results> {
  progress('compiling src/ and bench/ (tsc)');
  buildForBench();
  database = await createBenchDatabase(adminUrl);
  const machine = machineInfo(database.serverVersion);
  progress(`database ${database.name}; starting Tollgate`);
  tollgate = await startTollgate(database.url, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const { url } = tollgate;

  progress('registering users');
  const viewer = await registerAccount(url);
  // Two session chains per refresh connection (warm-up, measurement); login reuses the same users.
  const accounts = await registerAccounts(url, 100);
  const workerKey = await createWorkerKey(url, database.promote);
  const ctx: ScenarioContext = { url, viewer, accounts, workerKey };
  // Before any load: separates what the process holds at rest from what load adds.
  const rssStartMB = memoryMB(tollgate.child.pid)?.rss ?? null;
  const timing = { seconds, warmupSeconds };

  const floors: Record<string, ScenarioResult> = {};
  progress('floor a: bare Apollo over the same HTTP integration');
  floors.floorA = strip(await measureFloorServer('floorA', timing));
  progress('floor b: the same plus one primary-key select');
  floors.floorB = strip(await measureFloorServer('floorB', timing, { databaseUrl: database.url, userId: viewer.user.id }));
  progress('argon2 floor');
  const argon2 = await measureArgon2(timing);

  const scenarios: Record<string, ScenarioResult> = {};
  for (const scenario of tollgateScenarios) {
    const { name, connections } = scenario;
    const prepared = await scenario.prepare(ctx);
    if ('skip' in prepared) {
      progress(`${name}: skipped (${prepared.skip})`);
      scenarios[name] = { connections, skipped: prepared.skip, rps: null, p50Ms: null, p99Ms: null, errors: null };
      continue;
    }
    progress(`${name}: ${connections} connections`);
    await warmUp({ url, connections, seconds: warmupSeconds, connection: () => prepared.connection('warmup') });
    const result = await load({ url, connections, seconds, connection: () => prepared.connection('measure') });
    scenarios[name] = { ...strip(result), rssMB: memoryMB(tollgate.child.pid)?.rss };
    // A crash would otherwise read as a run of connection errors in every later scenario.
    if (tollgate.child.proc.exitCode !== null || tollgate.child.proc.signalCode !== null) {
      throw new Error(`Tollgate exited during ${name} (${tollgate.child.proc.exitCode ?? tollgate.child.proc.signalCode})`);
    }
  }

  const memory = memoryMB(tollgate.child.pid);
  progress('stopping Tollgate');
  const serverExitCode = await stop(tollgate.child);
  return {
    scenarios: { ...scenarios, ...floors },
    argon2,
    rssMB: memory?.rss ?? null,
    rssPeakMB: memory?.peak ?? null,
    rssStartMB,
    serverExitCode,
    machine,
    seconds,
    warmupSeconds,
  };
}

try {
  const results = await main();
  const wall = (performance.now() - startedAt) / 1000;
  printReport(results, wall);
  writeResults(resultsPath, results, wall);
  progress(`wrote ${resultsPath}`);
} catch (error) {
  // After a signal, failures are just the children going away; the signal handler sets the exit code.
  if (!interrupted) {
    console.error('The bench broke:', error);
    const said = tollgate?.child.output().trim();
    if (said) console.error(`\nTollgate's last output:\n${said}`);
    process.exitCode = 1;
  }
} finally {
  await cleanup();
}

function strip({ seconds: _s, ...rest }: Awaited<ReturnType<typeof load>> & { rssMB?: number }): MeasuredResult {
  return rest;
}

function secondsFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // Capped so that nine scenarios plus set-up stay well under five minutes.
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number of seconds from ${min} to ${max}, got "${raw}"`);
  return value;
}
