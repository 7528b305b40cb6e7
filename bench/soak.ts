import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { generateSigningJwk } from '../src/modules/token/key-ring.js';
import { createBenchDatabase, type BenchDatabase } from './database.js';
import { createWorkerKey, gql, LOGIN, newCredentials, REGISTER, registerAccounts, type Tokens } from './graphql-client.js';
import { mailEnv, mailSink } from './mail-sink.js';
import { freePort, killAllSync, memoryMB, spawnTs, stop, waitReady, type Child } from './servers.js';
import { unreachableRateLimits } from './tollgate.js';

/**
 * `npm run soak` (not in CI): SOAK_MINUTES (default 10) of mixed traffic at a moderate, paced rate
 * (SOAK_RATE requests/s, default 100) against the compiled server (`npm run build`, `node dist/main.js`)
 * on Postgres and Redis. Prints, per minute, requests, errors and p99, and at minutes 1, 5 and the
 * last, RSS and the heap after a full GC (read through the inspector). Exits 1 on any error, or when
 * RSS grew 10 % or more after the first minute's warm-up.
 */

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const rate = Number(process.env.SOAK_RATE ?? 100);
const workers = 20;
const adminUrl = process.env.SOAK_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379';
const snapshotDir = process.env.SOAK_HEAP_SNAPSHOT_DIR;
const log = (message: string) => process.stderr.write(`[soak] ${message}\n`);

const ME = 'query { me { id email } }';
const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken user { id email } } }';
const LOGOUT = 'mutation { logout }';
const REPORT = `mutation($input: ReportProgressInput!) { reportResourceProgress(input: $input) { resourceId overallStatus } }`;
const PROGRESS = 'query($id: ID!) { resourceProgress(resourceId: $id) { resourceId overallStatus percentComplete } }';
const WATCH = 'subscription($id: ID!) { resourceProgressChanged(resourceId: $id) { resourceId percentComplete } }';

interface User extends Tokens {
  password: string;
  resourceId: string;
}

let database: BenchDatabase | undefined;
let server: Child | undefined;
process.once('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}
async function cleanup() {
  if (server) await stop(server);
  await database?.drop().catch(() => undefined);
}

async function main(): Promise<boolean> {
  log('npm run build');
  const require = createRequire(import.meta.url);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  database = await createBenchDatabase(adminUrl);
  const port = await freePort();
  server = spawnTs(
    'tollgate',
    'dist/main.js',
    {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `soak-${database.name}`,
      JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
      AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
      ...(await mailEnv()),
      LOG_LEVEL: 'info',
      PORT: String(port),
      RATE_LIMITS: JSON.stringify(unreachableRateLimits),
    },
    ['--inspect=127.0.0.1:0'],
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(server, `${url}/health/ready`);
  const inspector = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(server.output())?.[0];
  if (!inspector) throw new Error(`no inspector address in:\n${server.output()}`);

  log('preparing users and a worker key');
  const workerKey = await createWorkerKey(url, database.promote);
  const users: User[] = (await registerAccounts(url, workers * 3)).map((a, i) => ({ ...a, resourceId: `soak-${i}` }));
  // Watchers of their own, whose tokens the traffic never rotates or logs out.
  const watchers = await registerAccounts(url, 3);
  const pid = server.pid;

  let errors = 0;
  // Latencies, with a mark on the operations that hash or verify a password: argon2's queue dominates those.
  let minute: { ms: number; password: boolean }[] = [];
  const errorSamples: string[] = [];
  const failed = (message: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(message);
  };
  const call = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const started = performance.now();
    try {
      const res = await gql<Record<string, unknown>>(url, query, variables, token);
      minute.push({ ms: performance.now() - started, password: query === LOGIN || query === REGISTER });
      if (res.status !== 200 || res.errors) throw new Error(`HTTP ${res.status} ${JSON.stringify(res.errors)}`);
      return res.data ?? {};
    } catch (error) {
      failed(error instanceof Error ? error.message : String(error));
      return null;
    }
  };
  const signIn = async (user: User) => {
    const res = await call(LOGIN, { input: { identifier: user.user.email, password: user.password } });
    if (res) Object.assign(user, res.login as Tokens);
  };
  const step = async (user: User, n: number) => {
    const r = Math.random();
    if (r < 0.45) await call(ME, {}, user.accessToken);
    else if (r < 0.6) {
      const res = await call(REFRESH, { t: user.refreshToken });
      if (res) Object.assign(user, res.refresh as Tokens);
    } else if (r < 0.67) await signIn(user);
    else if (r < 0.7) await call(REGISTER, { input: newCredentials() });
    else if (r < 0.85) {
      const input = {
        resourceId: user.resourceId,
        ownerId: user.user.id,
        stage: 'INGESTION',
        status: 'PROCESSING',
        percent: n % 100,
      };
      await call(REPORT, { input }, workerKey);
    } else if (r < 0.96) await call(PROGRESS, { id: user.resourceId }, user.accessToken);
    else if (await call(LOGOUT, {}, user.accessToken)) await signIn(user);
  };

  const end = Date.now() + minutes * 60_000;
  const interval = (workers / rate) * 1000;
  const traffic = Array.from({ length: workers }, async (_, w) => {
    const mine = users.slice(w * 3, w * 3 + 3);
    for (let n = 0; Date.now() < end; n++) {
      const started = Date.now();
      await step(mine[n % 3]!, n);
      await sleep(Math.max(0, started + interval - Date.now()));
    }
  });
  // Subscriptions come and go too: one opens every two seconds, waits for its first state, closes.
  const subscriptions = (async () => {
    for (let n = 0; Date.now() < end; n++) {
      const watcher = watchers[n % watchers.length]!;
      // A resource of its own, reported once, so the subscription has a state to send.
      await call(
        REPORT,
        { input: { resourceId: `watched-${n}`, ownerId: watcher.user.id, stage: 'INGESTION', status: 'PROCESSING' } },
        workerKey,
      );
      const client = createClient({
        url: `${url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${watcher.accessToken}` },
        retryAttempts: 0,
      });
      await new Promise<void>((resolve) => {
        const done = client.subscribe(
          { query: WATCH, variables: { id: `watched-${n}` } },
          {
            next: () => {
              done();
              resolve();
            },
            error: (error: unknown) => {
              failed(`subscription: ${JSON.stringify(error)}`);
              resolve();
            },
            complete: resolve,
          },
        );
      });
      await client.dispose();
      await sleep(2000);
    }
  })();

  const rows: string[] = [];
  const memory: Record<number, { rss: number; heap: number }> = {};
  for (let m = 1; m <= minutes; m++) {
    await sleep(Math.max(0, end - (minutes - m) * 60_000 - Date.now()));
    const latencies = minute.map((l) => l.ms).sort((a, b) => a - b);
    const others = minute.flatMap((l) => (l.password ? [] : [l.ms])).sort((a, b) => a - b);
    minute = [];
    const p99 = percentile99(latencies);
    let mem = '';
    if (m === 1 || m === 5 || m === minutes) {
      // RSS first: taking a heap snapshot makes the server's RSS jump by its own size.
      const rss = memoryMB(pid)?.rss ?? NaN;
      const heap = await heapAfterGc(inspector, snapshotDir && join(snapshotDir, `minute-${m}.heapsnapshot`));
      memory[m] = { rss, heap };
      mem = ` rss=${rss} MB heapAfterGC=${heap} MB`;
    }
    rows.push(
      `minute ${m}: ${latencies.length} requests, ${errors} errors so far, p99=${p99.toFixed(1)} ms (without password operations ${percentile99(others).toFixed(1)} ms)${mem}`,
    );
    log(rows.at(-1)!);
  }
  await Promise.all([...traffic, subscriptions]);

  const first = memory[1]!;
  const last = memory[minutes]!;
  const growth = ((last.rss - first.rss) / first.rss) * 100;
  console.log(['', ...rows, '', `RSS ${first.rss} → ${last.rss} MB after warm-up: ${growth.toFixed(1)} %`].join('\n'));
  console.log(
    `heap after GC ${first.heap} → ${last.heap} MB; errors: ${errors}; mails delivered: ${(await mailSink()).delivered()}`,
  );
  if (errorSamples.length) console.log(`first errors:\n  ${errorSamples.join('\n  ')}`);
  return errors === 0 && growth < 10;
}

/** A full GC in the server, then its heap, through the inspector (the server runs with --inspect). */
const percentile99 = (sorted: number[]) => sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN;

/**
 * The heap after a full GC, read through the server's inspector; with a path, also a heap snapshot written
 * there (SOAK_HEAP_SNAPSHOT_DIR), to compare what the heap holds at the first minute and at the last.
 */
async function heapAfterGc(address: string, snapshotPath?: string): Promise<number> {
  const ws = new WebSocket(address, { maxPayload: 0 });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies = new Map<number, (value: unknown) => void>();
  const chunks: string[] = [];
  ws.on('message', (raw: Buffer) => {
    const msg = JSON.parse(raw.toString()) as { id?: number; method?: string; params?: { chunk: string }; result?: unknown };
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && msg.params) chunks.push(msg.params.chunk);
    if (msg.id) replies.get(msg.id)?.(msg.result);
  });
  let id = 0;
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      replies.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('HeapProfiler.collectGarbage');
  const result = (await send('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true })) as {
    result: { value: number };
  };
  if (snapshotPath) {
    await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    writeFileSync(snapshotPath, chunks.join(''));
  }
  ws.close();
  return Math.round((result.result.value / 1024 / 1024) * 10) / 10;
}

main().then(
  async (ok) => {
    await cleanup();
    process.exit(ok ? 0 : 1);
  },
  async (error: unknown) => {
    console.error(error);
    await cleanup();
    process.exit(1);
  },
);
