import { fileURLToPath } from 'node:url';
import { buildForBench, compiled } from './build.js';
import { createBenchDatabase } from './database.js';
import { createWorkerKey, registerAccount, registerAccounts } from './graphql-client.js';
import { measurePair } from './measure.js';
import { tollgateScenarios } from './scenarios.js';
import { stop, stopAll } from './servers.js';
import { newSigningKeys, startTollgate } from './tollgate.js';

/**
 * `npx tsx bench/ab.ts <earlier build dir>`: the current source (compiled now) against an earlier build
 * (a copy of .data/bench-build made before a change), two servers on one database loaded in turn, repeat
 * by repeat, so the machine's other tenants weigh on both alike. For the "what each change bought" figures
 * on a shared machine, where two separate runs differ by more than one optimisation saves.
 * BENCH_ONLY picks scenarios (default me,resourceProgress,rateLimitStatus); BENCH_REPEATS defaults to 5.
 * BENCH_AB_NODE_FLAGS (space-separated) are given to the "after" server only, e.g. to weigh a V8 flag on one
 * build: `BENCH_AB_NODE_FLAGS=--max-semi-space-size=8 npx tsx bench/ab.ts .data/bench-build`.
 * BENCH_AB_ENV_BEFORE and BENCH_AB_ENV_AFTER (JSON objects) add environment to each server, to weigh a setting
 * on one build: a copy of the current build as "before", e.g. metrics and tracing off against on
 * (docs/operations/metrics.md gives the commands).
 * BENCH_AB_AFTER_ENV ("NAME=value NAME=value") sets more of the "after" server's environment, to weigh a
 * setting on one build: `BENCH_AB_AFTER_ENV=DATABASE_PREPARED_STATEMENTS=off npx tsx bench/ab.ts .data/bench-build`
 * ({url} in a value stands for the bench database's URL, {pooler} for its URL through BENCH_POOLER_HOST).
 */
const before = process.argv[2];
if (!before) throw new Error('usage: tsx bench/ab.ts <dir of an earlier bench build>');
const names = (process.env.BENCH_ONLY ?? 'me,resourceProgress,rateLimitStatus').split(',');
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));

if (process.env.BENCH_AB_SKIP_BUILD !== '1') buildForBench();
const database = await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
try {
  const signingKey = await newSigningKeys();
  // One after the other: both migrate on start, and two migrations at once on a fresh database collide.
  const envOf = (name: string) => JSON.parse(process.env[name] ?? '{}') as Record<string, string>;
  const a = await startTollgate({
    databaseUrl: database.url,
    signingKey,
    entry: `${root}${before}/src/main.js`,
    env: envOf('BENCH_AB_ENV_BEFORE'),
  });
  const b = await startTollgate({
    databaseUrl: database.url,
    signingKey,
    entry: compiled('src/main.ts'),
    nodeFlags: process.env.BENCH_AB_NODE_FLAGS?.split(' ').filter(Boolean),
    env: { ...envOf('BENCH_AB_ENV_AFTER'), ...afterEnv(database.url) },
  });
  const viewer = await registerAccount(a.url);
  const chosen = tollgateScenarios.filter((s) => names.includes(s.name));
  // Both servers take sign-ups before they are measured, as a server in service has; a sign-in scenario
  // gets as many accounts as the full bench gives it, so no account's row is contended.
  // refresh follows 2 × 50 session chains of its own.
  const accounts = await registerAccounts(b.url, chosen.some((s) => s.hashes || s.name === 'refresh') ? 100 : 4);
  const workerKey = await createWorkerKey(a.url, database.promote);
  while ((await database.pendingMail()) > 0) await new Promise((r) => setTimeout(r, 500));
  for (const scenario of chosen) {
    const ready = await scenario.prepare({ url: a.url, viewer, accounts, workerKey });
    if ('skip' in ready) continue;
    const load = {
      connections: scenario.connections,
      seconds: 3,
      warmupSeconds: 5,
      repeats,
      hashes: scenario.hashes ?? false,
      connection: ready.connection,
    };
    const [x, y] = await measurePair({ pid: a.child.pid, url: a.url, ...load }, { pid: b.child.pid, url: b.url, ...load });
    // The main thread's share too: for argon2-bound scenarios it is where the builds differ, and the pool's
    // share, which moves with the machine, would hide it.
    const fmt = (m: typeof x) =>
      `${m.cpuMsPerRequest} ms/req (${m.repeats.map((r) => r.cpuMsPerRequest).join(', ')}; main thread ` +
      `${m.mainThreadCpuMsPerRequest}: ${m.repeats.map((r) => r.mainThreadCpuMsPerRequest).join(', ')}; ${m.errors} errors)`;
    console.log(`${scenario.name}: before ${fmt(x)}  after ${fmt(y)}`);
  }
  await Promise.all([a, b].map((t) => t && stop(t.child)));
} finally {
  await stopAll();
  await database.drop();
}

/** BENCH_AB_AFTER_ENV as variables, with {url} and {pooler} filled in. */
function afterEnv(url: string): Record<string, string> {
  const pooled = new URL(url);
  pooled.host = process.env.BENCH_POOLER_HOST ?? pooled.host;
  const fill = (value: string) => value.replaceAll('{url}', url).replaceAll('{pooler}', pooled.toString());
  return Object.fromEntries(
    (process.env.BENCH_AB_AFTER_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), fill(pair.slice(at + 1))];
      }),
  );
}
