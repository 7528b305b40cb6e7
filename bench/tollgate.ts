import { randomBytes } from 'node:crypto';
import { generateSigningJwk } from '../src/modules/token/key-ring.js';
import { compiled } from './build.js';
import { mailEnv } from './mail-sink.js';
import { argon2Env, freePort, spawnTs, stop, waitReady, type Child } from './servers.js';

/** The real service, started the way an operator would start it, in its own process. */

const LIMITED_FIELDS = [
  'Query.me',
  'Query.rateLimitStatus',
  'Query.resourceProgress',
  'Mutation.login',
  'Mutation.register',
  'Mutation.refresh',
  'Mutation.logout',
  'Mutation.reportResourceProgress',
];

/** Limits no run can reach: the bench measures what the limiter costs, never a refusal. */
export const unreachableRateLimits = Object.fromEntries(
  LIMITED_FIELDS.map((field) => [field, { FREE: 1e9, PREMIUM: 1e9, ADMIN: 1e9, windowSeconds: 60 }]),
);

export interface Tollgate {
  url: string;
  child: Child;
}

export interface TollgateOptions {
  databaseUrl: string;
  /** One key for every server of a run, so a token issued by one is accepted by the next. */
  signingKey: string;
  /** As shipped unless a run compares levels. */
  logLevel?: string;
  nodeFlags?: string[];
  /** Another compiled entry point, e.g. an earlier build kept for an A/B comparison (bench/ab.ts). */
  entry?: string;
  /** Settings a run needs beyond the shipped ones (bench/enumeration-timing.ts: forwarded client addresses). */
  env?: Record<string, string>;
}

/**
 * As `npm run start:prod` and the Dockerfile start it. Without the cap V8 sizes its heap from the machine's
 * memory (~4 GB here) and lets a ~50 MB live heap grow past 300 MB of RSS under load before it collects.
 */
export const productionNodeFlags = ['--max-old-space-size=256'];

export async function startTollgate({
  databaseUrl,
  signingKey,
  logLevel = 'info',
  nodeFlags = [],
  entry = compiled('src/main.ts'),
  env = {},
}: TollgateOptions): Promise<Tollgate> {
  const port = await freePort();
  const child = spawnTs(
    'tollgate',
    entry,
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: 'true',
      JWT_SIGNING_KEYS: signingKey,
      AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
      // Production defaults: an operator runs at info, with a request log line per request.
      LOG_LEVEL: logLevel,
      PORT: String(port),
      HOST: '127.0.0.1',
      UV_THREADPOOL_SIZE: '2',
      RATE_LIMITS: JSON.stringify(unreachableRateLimits),
      ...(await mailEnv()),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      ...argon2Env(),
      ...env,
    },
    [...productionNodeFlags, ...nodeFlags],
    { announces: false },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(child, `${url}/health/ready`);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { url, child };
}

export const newSigningKeys = async () => JSON.stringify([await generateSigningJwk()]);
