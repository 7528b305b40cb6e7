import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { manualClock } from './clock.js';
import { createTestDatabase } from './database.js';
import { RefreshDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { execute, post, type RequestOptions } from './graphql.js';
import { uniquePrefix } from './redis.js';

export interface TestApp extends App {
  database: string;
  databaseUrl: string;
  clock: ReturnType<typeof manualClock>;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  execute: <R, V>(
    doc: Parameters<typeof execute<R, V>>[1],
    variables?: V,
    options?: RequestOptions,
  ) => ReturnType<typeof execute<R, V>>;
  post: <T = Record<string, unknown>>(body: unknown, options?: RequestOptions) => ReturnType<typeof post<T>>;
}

/**
 * A real Tollgate on a fresh Postgres database, listening on a loopback port, closed (and its
 * database dropped) after the file's tests. Only the clock is fake.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  hooks: AppOptions['hooks'] = {},
  options: {
    shareDatabaseWith?: TestApp;
    /** How the app reaches its database, e.g. through a test's TCP proxy (the test still drops it directly). */
    reachDatabase?: (url: string) => string;
  } = {},
): Promise<TestApp> {
  // A second instance on the same database stands in for another API process behind a balancer.
  const shared = options.shareDatabaseWith;
  const database = shared
    ? { name: shared.database, url: shared.databaseUrl, drop: async () => undefined }
    : await createTestDatabase();
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const clock = options.shareDatabaseWith?.clock ?? manualClock();
  // A bad configuration or a failed start still drops the database this call made.
  const start = async () => {
    const config = parseConfig({
      NODE_ENV: 'test',
      PORT: '0',
      // Every app has its metrics listener, on a port of its own: test files run side by side.
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...databaseEnv(database.url, options.reachDatabase),
      ...redisEnv(env),
      DATABASE_POOL_MAX: '4',
      MIGRATE_ON_START: 'true',
      // Closing an app waits a quarter of this for the test's idle keep-alive connections.
      SHUTDOWN_TIMEOUT_MS: '2000',
      // Every test file signs up from 127.0.0.1; the anonymous per-address budgets would throttle
      // features that are not about rate limits. Rate-limit tests set their own table.
      RATE_LIMITS: JSON.stringify(anonymousHeadroom),
      // Instances sharing a database (and a file's restarted app) must open each other's sealed mail.
      OUTBOX_KEYS: testOutboxKeys,
      ...env,
    });
    return createApp({ config, logger: createLogger({ level: config.logLevel, destination }), clock, hooks });
  };
  const app = await start().catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // A close that fails (a test cut the database off, say) still drops the database this call made.
      try {
        await app.close();
      } finally {
        await database.drop();
      }
    })());
  openApps.push(close);
  return {
    ...app,
    close,
    database: database.name,
    databaseUrl: database.url,
    clock: options.shareDatabaseWith?.clock ?? clock,
    logs,
    execute: (doc, variables, options) => execute(app.url, doc, variables, options),
    post: (body, options) => post(app.url, body, options),
  };
}

/**
 * Where the app finds its database: straight at Postgres, through a test's own proxy, or, when
 * TEST_POOLER_URL names a transaction-mode PgBouncer (CI runs some suites so), through the pooler with
 * the session connection (LISTEN, migrations) straight at Postgres.
 */
function databaseEnv(url: string, reach?: (url: string) => string): Record<string, string> {
  if (reach) return { DATABASE_URL: reach(url) };
  const pooler = process.env.TEST_POOLER_URL;
  if (!pooler) return { DATABASE_URL: url };
  const pooled = new URL(url);
  const via = new URL(pooler);
  pooled.host = via.host;
  return { DATABASE_URL: pooled.toString(), DATABASE_DIRECT_URL: url };
}

/**
 * With TEST_REDIS_SENTINELS set (CI runs the rate-limit suite so), an app that names no Redis of its own
 * counts its budgets in the master those Sentinels name, under a prefix of its own.
 */
function redisEnv(env: Record<string, string>): Record<string, string> {
  const sentinels = process.env.TEST_REDIS_SENTINELS;
  if (!sentinels || env.REDIS_URL || env.REDIS_CLUSTER_NODES || env.REDIS_SENTINELS) return {};
  return {
    REDIS_SENTINELS: sentinels,
    REDIS_SENTINEL_NAME: process.env.TEST_REDIS_SENTINEL_NAME ?? 'tollgate',
    REDIS_KEY_PREFIX: uniquePrefix(),
  };
}

const testOutboxKeys = `test:${randomBytes(32).toString('base64url')}`;

const anonymousHeadroom = Object.fromEntries(
  [
    'Mutation.register',
    'Mutation.login',
    'Mutation.refresh',
    'Mutation.startOAuth',
    'Mutation.completeOAuth',
    'Mutation.requestPasswordReset',
    'Mutation.verifyEmail',
    'Mutation.resetPassword',
    'Mutation.confirmEmailChange',
    'Mutation.revertEmailChange',
  ].map((f) => [f, { FREE: 100_000, PREMIUM: 100_000, ADMIN: 100_000 }]),
);

/**
 * Apps still to close, newest first at the end. Closed by the setup file's top-level afterAll: Vitest
 * never runs an afterAll registered inside a beforeAll or a test, where createTestApp is called.
 */
const openApps: (() => Promise<void>)[] = [];

/** Closes every app this file created, newest first, so an instance sharing a database closes before its owner drops it. */
export async function closeTestApps(): Promise<void> {
  // Every app closes and drops its database even when an earlier one fails; the first failure is reported.
  const failures: unknown[] = [];
  while (openApps.length)
    await openApps
      .pop()?.()
      .catch((error: unknown) => failures.push(error));
  if (failures.length) throw failures[0];
}

let counter = 0;
/** Registers a fresh account and returns it with its first tokens. */
export async function signUp(app: TestApp, options: RequestOptions = {}) {
  const account = newAccount();
  const res = await app.execute(RegisterDocument, { input: account }, options);
  if (!res.data) throw new Error(`register failed: ${res.raw}`);
  return { account, ...signedIn(res.data.register) };
}

/** The AuthPayload of an open sign-up (SIGNUP_MODE=open); throws on a RegistrationPending. */
export function signedIn<T extends { __typename: string }>(result: T): Extract<T, { __typename: 'AuthPayload' }> {
  if (result.__typename !== 'AuthPayload') throw new Error(`expected a signed-in sign-up, got ${result.__typename}`);
  return result as Extract<T, { __typename: 'AuthPayload' }>;
}

/** A signed-up user made ADMIN directly in the database, with a refreshed token that carries the tier. */
export async function signUpAdmin(app: TestApp) {
  const admin = await signUp(app);
  await app.orm.em.getConnection().execute(`update app_user set tier = 'ADMIN' where id = ?`, [admin.user.id]);
  const refreshed = await app.execute(RefreshDocument, { refreshToken: admin.refreshToken });
  if (!refreshed.data) throw new Error(`refresh failed: ${refreshed.raw}`);
  return { ...admin, ...refreshed.data.refresh };
}

export function newAccount(overrides: { email?: string; username?: string | null; password?: string } = {}) {
  const n = `${process.pid}${Date.now().toString(36)}${(counter++).toString(36)}`;
  return {
    email: overrides.email ?? `person.${n}@example.com`,
    username: overrides.username === undefined ? `user_${n}`.slice(0, 32) : overrides.username,
    password: overrides.password ?? `a fine passphrase ${n}`,
  };
}
