import { setTimeout as sleep } from 'node:timers/promises';
import { buildForBench } from './build.js';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase, type BenchDatabase } from './database.js';
import {
  type Argon2Run,
  measureArgon2,
  measureArgon2Once,
  startFloorServer,
  type FloorServer,
  measureLogLine,
  summariseArgon2,
} from './floors.js';
import { round3 } from './cpu.js';
import { createWorkerKey, registerAccount, registerAccounts } from './graphql-client.js';
import { latencyAtOneConnection as latencyAtOneConnection1, measure, measurePair } from './measure.js';
import {
  FLOOR_RATIOS,
  type FloorName,
  machineInfo,
  printReport,
  writeResults,
  type Results,
  type ScenarioResult,
} from './report.js';
import { tollgateScenarios, type Prepared, type ScenarioContext } from './scenarios.js';
import { killAllSync, memoryMB, stop, stopAll } from './servers.js';
import { newSigningKeys, startTollgate, type Tollgate } from './tollgate.js';

/**
 * `npm run bench`: Tollgate in its own process on a throwaway database, loaded over loopback, next to
 * floors measured in the same run on the same machine. Exits non-zero only when the bench itself breaks.
 */

// Each scenario: a warm-up long enough for the JIT to settle, then REPEATS runs of ~SECONDS, each a fixed
// number of requests. Defaults keep the whole bench at about four minutes.
const seconds = integerFrom('BENCH_SECONDS', 3, 1, 15);
const warmupSeconds = integerFrom('BENCH_WARMUP_SECONDS', 5, 1, 20);
const repeats = integerFrom('BENCH_REPEATS', 3, 1, 5);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// Optional: BENCH_CPU_PROF_DIR=dir writes a .cpuprofile of the Tollgate server for the whole run.
const profileDir = process.env.BENCH_CPU_PROF_DIR;
// Optional: BENCH_NODE_FLAGS="--flag …" adds Node/V8 flags to the Tollgate server, e.g. to try heap settings.
const extraNodeFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
// Optional: BENCH_ONLY=me,refresh,floorB measures only those scenarios and floors (floorA, floorB, argon2), e.g. to profile.
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const wanted = (name: string) => !only || only.includes(name);
// Optional: BENCH_LOG_COMPARISON=0 skips measuring `me` again at LOG_LEVEL=warn.
const compareLogging = process.env.BENCH_LOG_COMPARISON !== '0';
const resultsPath = fileURLToPath(new URL(process.env.BENCH_RESULTS ?? 'results.json', import.meta.url));

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

/** The floors a scenario's ratios divide it by (report.ts FLOOR_RATIOS), measured in turn with it. */
const floorsOf = (scenario: string): FloorName[] =>
  Object.values(FLOOR_RATIOS).flatMap(([s, floor]) => (s === scenario ? [floor] : []));

/** One client alone on these, after the load: the seeds ask auth checks under 5 ms and progress under 10 ms. */
const ALONE = ['me', 'refresh', 'reportResourceProgress'];

async function main(): Promise<Results> {
  progress('compiling src/ and bench/ (tsc)');
  buildForBench();
  database = await createBenchDatabase(adminUrl);
  const machine = machineInfo(database.serverVersion);
  progress(`database ${database.name}; starting Tollgate (production defaults, LOG_LEVEL=info)`);
  const signingKey = await newSigningKeys();
  const nodeFlags = [...extraNodeFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  tollgate = await startTollgate({ databaseUrl: database.url, signingKey, nodeFlags });
  const { url } = tollgate;

  progress('registering users');
  const viewer = await registerAccount(url);
  // One session chain per refresh connection for warm-up and one for measurement; login reuses the users.
  const accounts = await registerAccounts(url, 100);
  const workerKey = await createWorkerKey(url, database.promote);
  // The sign-ups above queued a verification mail each; sent during the first scenario, they were charged
  // to it (~10 % of `me`'s CPU). The outbox is emptied first; `register` still pays for its own mail.
  progress("waiting for the sign-ups' mail to leave the outbox");
  await untilOutboxEmpty(database);
  const ctx: ScenarioContext = { url, viewer, accounts, workerKey };
  // Before any load: separates what the process holds at rest from what load adds.
  const rssStartMB = memoryMB(tollgate.child.pid)?.rss ?? null;
  const timing = { seconds, warmupSeconds, repeats };

  // The floor servers stay up beside Tollgate, and a floor's repeat is taken just before each repeat of a
  // scenario compared with it: this machine's speed drifts by 10-25 % over minutes (floor b once measured
  // 0.273 ms ±17 % in a run whose `me` then cost 0.185), more than the margins the targets ask about.
  const floorServers: Partial<Record<FloorName, FloorServer>> = {};
  if (wanted('floorA')) {
    progress('floor a: bare Apollo over the same HTTP integration (warm-up; measured in turn with `me`)');
    floorServers.floorA = await startFloorServer('floorA', timing);
  }
  if (wanted('floorB')) {
    progress('floor b: the same plus one primary-key select (warm-up; measured in turn with the scenarios compared with it)');
    floorServers.floorB = await startFloorServer('floorB', timing, { databaseUrl: database.url, userId: viewer.user.id });
  }
  let argon2: Results['argon2'] = null;
  // With `login`, the floor's repeats are taken in turn with login's (see measureArgon2Once).
  const argon2WithLogin = wanted('argon2') && wanted('login');
  const argon2Repeats: Argon2Run[] = [];
  if (wanted('argon2') && !argon2WithLogin) {
    progress('argon2 floor');
    argon2 = await measureArgon2(timing);
  }

  const scenarios: Record<string, ScenarioResult> = {};
  const prepared = new Map<string, Exclude<Prepared, { skip: string }>>();
  for (const scenario of tollgateScenarios) {
    const { name, connections } = scenario;
    if (!wanted(name)) continue;
    const ready = await scenario.prepare(ctx);
    if ('skip' in ready) {
      progress(`${name}: skipped (${ready.skip})`);
      scenarios[name] = {
        connections,
        skipped: ready.skip,
        rps: null,
        p50Ms: null,
        p99Ms: null,
        errors: null,
        cpuMsPerRequest: null,
      };
      continue;
    }
    prepared.set(name, ready);
    const withFloor = name === 'login' && argon2WithLogin;
    const floorsHere = floorsOf(name).flatMap((f) => (floorServers[f] ? [[f, floorServers[f]] as const] : []));
    const inTurnWith = [...(withFloor ? ['the argon2 floor'] : []), ...floorsHere.map(([f]) => f)];
    progress(
      `${name}: ${connections} connections${inTurnWith.length ? `, its repeats in turn with ${inTurnWith.join(' and ')}'s` : ''}`,
    );
    const result = await measure({
      pid: tollgate.child.pid,
      url,
      connections,
      ...timing,
      warmupSeconds,
      hashes: scenario.hashes ?? false,
      connection: ready.connection,
      beforeEachRepeat: async () => {
        if (withFloor) argon2Repeats.push(await measureArgon2Once(timing));
        for (const [, floor] of floorsHere) await floor.turns.repeat();
      },
    });
    if (withFloor) argon2 = summariseArgon2(argon2Repeats);
    scenarios[name] = { ...result, rssMB: memoryMB(tollgate.child.pid)?.rss };
    // A crash would otherwise read as a run of connection errors in every later scenario.
    if (tollgate.child.proc.exitCode !== null || tollgate.child.proc.signalCode !== null) {
      throw new Error(`Tollgate exited during ${name} (${tollgate.child.proc.exitCode ?? tollgate.child.proc.signalCode})`);
    }
  }

  const floors: Record<string, ScenarioResult> = {};
  for (const [name, floor] of Object.entries(floorServers)) {
    // Alone when no scenario compared with it ran (BENCH_ONLY=floorB, say).
    if (floor.turns.count === 0) {
      progress(`${name}: alone`);
      for (let i = 0; i < repeats; i++) await floor.turns.repeat();
    }
    floors[name] = floor.result();
    await floor.stop();
  }

  const latencyAtOneConnection: Results['latencyAtOneConnection'] = {};
  for (const name of ALONE) {
    const ready = prepared.get(name);
    if (!ready) continue;
    progress(`${name}: one connection`);
    latencyAtOneConnection[name] = await latencyAtOneConnection1(url, 300, ready.connection);
  }

  const memory = memoryMB(tollgate.child.pid);
  progress('stopping Tollgate');
  const serverExitCode = await stop(tollgate.child);

  let logging: Results['logging'] = null;
  const meScript = prepared.get('me');
  const meCpu = scenarios.me && 'skipped' in scenarios.me ? null : (scenarios.me?.cpuMsPerRequest ?? null);
  if (compareLogging && meScript) {
    // Two fresh servers started together, not the one above against a new one: a process that has been
    // through every scenario spends ~0.1 ms more per `me` than a fresh one at the same level (measured
    // warn against warn), which would swamp the difference sought.
    progress('me on two fresh servers, at LOG_LEVEL=info and warn, in turn: the cost of the request log line');
    const [loud, quiet] = await Promise.all(
      ['info', 'warn'].map((logLevel) => startTollgate({ databaseUrl: database!.url, signingKey, logLevel })),
    );
    try {
      // The difference is small next to the drift of a shared machine: more turns than a scenario gets.
      const load = { connections: 50, ...timing, repeats: Math.max(5, repeats), connection: meScript.connection };
      const [atInfo, atWarn] = await measurePair(
        { pid: loud!.child.pid, url: loud!.url, ...load },
        { pid: quiet!.child.pid, url: quiet!.url, ...load },
      );
      const info = atInfo.cpuMsPerRequest;
      const warn = atWarn.cpuMsPerRequest;
      const line = info !== null && warn !== null ? round3(info - warn) : null;
      progress('the request log line alone');
      const lineAlone = await measureLogLine();
      logging = {
        lineCpuMs: lineAlone,
        lineShareOfMe: lineAlone !== null && meCpu ? round3(lineAlone / meCpu) : null,
        meCpuMsAtInfo: info,
        meCpuMsAtWarn: warn,
        infoSpread: atInfo.cpuSpread,
        warnSpread: atWarn.cpuSpread,
        differenceCpuMs: line,
      };
    } finally {
      await Promise.all([loud, quiet].map((t) => t && stop(t.child)));
    }
  }

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
    repeats,
    latencyAtOneConnection,
    logging,
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

async function untilOutboxEmpty(db: BenchDatabase, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (let pending = await db.pendingMail(); pending > 0; pending = await db.pendingMail()) {
    if (Date.now() > deadline) throw new Error(`${pending} mails still in the outbox after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

function integerFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // Capped so that a run stays within minutes.
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}
