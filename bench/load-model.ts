import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { buildForBench } from './build.js';
import { cpuMs } from './cpu.js';
import { createBenchDatabase } from './database.js';
import { type Account, createWorkerKey, gql, LOGIN, registerAccounts, type Tokens } from './graphql-client.js';
import { stopAll } from './servers.js';
import { newSigningKeys, startTollgate } from './tollgate.js';

/**
 * `npx tsx bench/load-model.ts`: one realistic day of traffic for LOAD_USERS active users (default 200)
 * on a fresh database, against the compiled service in its own process, then what the day left in each
 * table (rows and bytes, heap + indexes + TOAST, per active user) and the server CPU each kind of request
 * cost. docs/operations/load-model.md scales these to 10 M accounts and 1 M daily actives.
 *
 * The day, per active user (the assumptions the doc states): one sign-in, four token refreshes (an hour
 * of use with 15-minute access tokens), twenty `me` reads, two resources whose five stages a worker
 * reports twice each (20 reports) and the user reads five times; one in ten also fails a sign-in once,
 * one in three signs out, one in fifty asks for a password reset; and one new account per twenty actives
 * signs up (with its verification mail).
 */
const users = Number(process.env.LOAD_USERS ?? 200);
const parallel = Number(process.env.LOAD_PARALLEL ?? 8);

const ME = 'query { me { id email } }';
const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken user { id email } } }';
const LOGOUT = 'mutation { logout }';
const RESET = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const REPORT = 'mutation($input: ReportProgressInput!) { reportResourceProgress(input: $input) { resourceId } }';
const READ = 'query($id: ID!) { resourceProgress(resourceId: $id) { overallStatus } }';
const STAGES = ['INGESTION', 'EMBEDDING', 'GRAPH', 'QUALITY', 'TAXONOMY'];

const TABLES = [
  'app_user',
  'session',
  'refresh_token',
  'security_event',
  'resource_progress',
  'email_token',
  'mail_outbox',
  'oauth_state',
  'oauth_account',
  'service_account',
];

buildForBench();
const database = await createBenchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const db = new pg.Client({ connectionString: database.url });
try {
  const signingKey = await newSigningKeys();
  // Every simulated user signs in from 127.0.0.1: the per-address failure budget (100 a day) would stop the
  // day's failed sign-ins, which real users make from their own addresses, long before it ends.
  const server = await startTollgate({
    databaseUrl: database.url,
    signingKey,
    logLevel: 'warn',
    env: { LOGIN_FAILURE_LIMITS: JSON.stringify({ ip: { points: 1_000_000, windowSeconds: 86_400 } }) },
  });
  await db.connect();

  // Yesterday: the accounts exist. Their sign-ups are not today's traffic.
  const accounts = await registerAccounts(server.url, users, 4);
  const workerKey = await createWorkerKey(server.url, database.promote);
  while ((await database.pendingMail()) > 0) await new Promise((r) => setTimeout(r, 200));
  const before = await sizes();

  const cpu: Record<string, { requests: number; cpuMs: number }> = {};
  /** Runs `work` for every item, `parallel` at a time, and charges the server's CPU to `kind`. */
  const phase = async <T>(kind: string, items: T[], work: (item: T) => Promise<unknown>) => {
    const start = cpuMs(server.child.pid!)!;
    for (let i = 0; i < items.length; i += parallel) await Promise.all(items.slice(i, i + parallel).map(work));
    const spent = cpuMs(server.child.pid!)! - start;
    const entry = cpu[kind] ?? { requests: 0, cpuMs: 0 };
    cpu[kind] = { requests: entry.requests + items.length, cpuMs: entry.cpuMs + spent };
  };
  const ok = <T>(res: { data?: T; errors?: unknown }, what: string): T => {
    if (!res.data || res.errors) throw new Error(`${what} failed: ${JSON.stringify(res.errors)}`);
    return res.data;
  };

  // Today.
  const every = <T>(n: number, list: T[]) => list.filter((_, i) => i % n === 0);
  const newcomers = Math.max(1, Math.round(users / 20));
  await phase('register', Array.from({ length: newcomers }), () => registerAccounts(server.url, 1, 1));
  await phase('login (wrong password)', every(10, accounts), (a) =>
    gql(server.url, LOGIN, { input: { identifier: a.user.email, password: `${a.password}-not` } }),
  );
  const sessions = new Map<Account, Tokens>();
  await phase('login', accounts, async (a) => {
    const res = await gql<{ login: Tokens }>(server.url, LOGIN, { input: { identifier: a.user.email, password: a.password } });
    sessions.set(a, ok(res, 'login').login);
  });
  const perUser = (n: number) => accounts.flatMap((a) => Array.from({ length: n }, () => a));
  await phase('me', perUser(20), (a) => gql(server.url, ME, {}, sessions.get(a)!.accessToken));
  for (let round = 0; round < 4; round++) {
    await phase('refresh', accounts, async (a) => {
      const res = await gql<{ refresh: Tokens }>(server.url, REFRESH, { t: sessions.get(a)!.refreshToken });
      sessions.set(a, ok(res, 'refresh').refresh);
    });
  }
  const resources = accounts.flatMap((a) => [0, 1].map(() => ({ owner: a, id: randomUUID() })));
  for (const status of ['PROCESSING', 'COMPLETED']) {
    for (const stage of STAGES) {
      await phase('reportResourceProgress', resources, async (r) =>
        ok(
          await gql(server.url, REPORT, { input: { resourceId: r.id, ownerId: r.owner.user.id, stage, status } }, workerKey),
          'report',
        ),
      );
    }
  }
  // Five reads a user: three of the first resource, two of the second.
  await phase(
    'resourceProgress',
    resources.flatMap((r, i) => Array.from({ length: i % 2 ? 2 : 3 }, () => r)),
    async (r) => ok(await gql(server.url, READ, { id: r.id }, sessions.get(r.owner)!.accessToken), 'read'),
  );
  await phase('requestPasswordReset', every(50, accounts), (a) => gql(server.url, RESET, { email: a.user.email }));
  await phase('logout', every(3, accounts), (a) => gql(server.url, LOGOUT, {}, sessions.get(a)!.accessToken));
  // Mail the day queued is sent (or would be) before the day is counted, as the outbox does.
  for (let i = 0; i < 100 && (await database.pendingMail()) > 0; i++) await new Promise((r) => setTimeout(r, 200));
  const after = await sizes();

  const report = {
    activeUsers: users,
    newAccounts: newcomers,
    perActiveUserPerDay: Object.fromEntries(
      TABLES.map((t) => [
        t,
        {
          rows: round((after[t]!.rows - before[t]!.rows) / users, 3),
          bytes: Math.round((after[t]!.bytes - before[t]!.bytes) / users),
          bytesPerRow: after[t]!.rows ? Math.round(after[t]!.bytes / after[t]!.rows) : null,
        },
      ]),
    ),
    cpuMsPerRequest: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, { requests: v.requests, cpuMs: round(v.cpuMs / v.requests, 2) }]),
    ),
    cpuMsPerActiveUserPerDay: round(Object.values(cpu).reduce((sum, v) => sum + v.cpuMs, 0) / users, 1),
    requestsPerActiveUserPerDay: round(Object.values(cpu).reduce((sum, v) => sum + v.requests, 0) / users, 1),
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await db.end().catch(() => undefined);
  await stopAll();
  await database.drop();
}

/** Rows and bytes (heap, indexes, TOAST) of each table, after a VACUUM so dead rows do not count. */
async function sizes(): Promise<Record<string, { rows: number; bytes: number }>> {
  await db.query(`vacuum analyze`);
  const out: Record<string, { rows: number; bytes: number }> = {};
  for (const table of TABLES) {
    const { rows } = await db.query<{ n: number; bytes: string }>(
      `select (select count(*)::int from ${table}) as n, pg_total_relation_size('${table}') as bytes`,
    );
    out[table] = { rows: rows[0]!.n, bytes: Number(rows[0]!.bytes) };
  }
  return out;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
