import { existsSync } from 'node:fs';
import { z } from 'zod';

/** The environment, parsed and validated once at start-up. Nothing else under src/ reads process.env. */

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const publicJwk = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(40),
  kid: z.string().min(1).max(128),
});

const json = <T extends z.ZodType>(inner: T, message = 'must be JSON') =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    })
    .pipe(inner);

const signingKeyList = json(
  z
    .array(publicJwk.extend({ d: z.string().min(40).optional() }))
    .min(1)
    .refine((keys) => keys[0]?.d !== undefined, 'the first key signs, so it must include its private part "d"')
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'every key needs a distinct "kid"'),
  'must be a JSON array of Ed25519 JWKs (see npm run keygen)',
);

const tierLimits = z.strictObject({
  FREE: z.number().int().min(1).optional(),
  PREMIUM: z.number().int().min(1).optional(),
  ADMIN: z.number().int().min(1).optional(),
  windowSeconds: z.number().int().min(1).max(86_400).optional(),
});
const windowLimit = z.strictObject({ points: z.number().int().min(1), windowSeconds: z.number().int().min(1).max(604_800) });

/** TRUST_PROXY: a hop count, or addresses/CIDRs/proxy-addr names (loopback, linklocal, uniquelocal). */
const trustProxy = z.string().transform((raw, ctx): number | string[] | false => {
  const value = raw.trim();
  if (value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const ok = list.every((v) => ['loopback', 'linklocal', 'uniquelocal'].includes(v) || /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(v));
  if (!ok || list.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a hop count or a comma-separated list of addresses, CIDRs, loopback, linklocal, uniquelocal',
    });
    return z.NEVER;
  }
  return list;
});

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_MAX: int(1, 100).default(10),
    EMBEDDED_DATA_DIR: z.string().min(1).default('.data/pglite'),
    MIGRATE_ON_START: bool.optional(),

    JWT_ISSUER: z.string().min(1).default('urn:tollgate'),
    JWT_AUDIENCE: z.string().min(1).default('urn:tollgate:api'),
    JWT_SIGNING_KEYS: signingKeyList.optional(),
    ACCESS_TOKEN_TTL_MINUTES: int(5, 60).default(15),
    SESSION_TTL_DAYS: int(1, 365).default(30),
    SESSION_IDLE_TIMEOUT_DAYS: int(1, 365).default(7),
    REFRESH_GRACE_SECONDS: int(0, 60).default(10),
    PROGRESS_TTL_HOURS: int(1, 24 * 30).default(24),
    PROGRESS_PURGE_INTERVAL_SECONDS: int(10, 86_400).default(600),
    COOKIE_SECURE: bool.optional(),
    CORS_ORIGINS: z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((o) => new URL(o).origin)))
      .optional(),

    ARGON2_MEMORY_KIB: int(8192, 1048576).default(19456),
    ARGON2_ITERATIONS: int(1, 20).default(2),
    ARGON2_PARALLELISM: int(1, 16).default(1),

    GRAPHQL_INTROSPECTION: bool.optional(),
    GRAPHQL_MAX_DEPTH: int(2, 50).default(10),
    GRAPHQL_MAX_ALIASES: int(1, 200).default(30),
    GRAPHQL_MAX_ROOT_FIELDS: int(1, 200).default(30),
    GRAPHQL_MAX_DIRECTIVES: int(1, 200).default(20),
    GRAPHQL_MAX_TOKENS: int(100, 100_000).default(2000),
    GRAPHQL_MAX_COST: int(100, 1_000_000).default(5000),

    OAUTH_REDIRECT_URIS: z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ })))
      .optional(),
    OAUTH_STATE_TTL_SECONDS: int(60, 3600).default(600),
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    GOOGLE_ISSUER: z.url().default('https://accounts.google.com'),
    GOOGLE_AUTHORIZATION_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
    GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
    GOOGLE_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    GITHUB_AUTHORIZATION_URL: z.url().default('https://github.com/login/oauth/authorize'),
    GITHUB_TOKEN_URL: z.url().default('https://github.com/login/oauth/access_token'),
    GITHUB_API_URL: z.url().default('https://api.github.com'),

    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/)
      .default('tollgate'),
    TRUST_PROXY: trustProxy.optional(),
    RATE_LIMITS: json(z.record(z.string().regex(/^[A-Z][A-Za-z]*\.[a-z][A-Za-z]*$/), tierLimits)).optional(),
    LOGIN_FAILURE_LIMITS: json(
      z.strictObject({ identifierIp: windowLimit.optional(), ip: windowLimit.optional(), identifier: windowLimit.optional() }),
    ).optional(),
    MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(100 * 1024),
    SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    // Production must never run on a throwaway key or an embedded database.
    if (!env.JWT_SIGNING_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SIGNING_KEYS'], message: 'is required in production' });
    }
    if (!env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production' });
    }
  });

/** Every variable Tollgate reads; .env.example and docker-compose.yml must list the same set. */
export const configVariables: readonly string[] = Object.keys(schema.shape);

export type SigningJwk = z.infer<typeof publicJwk> & { d?: string };

export interface Config {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    maxBodyBytes: number;
    shutdownTimeoutMs: number;
    /** false: the socket address is the client; otherwise what proxy-addr should trust. */
    trustProxy: number | readonly string[] | false;
  };
  logLevel: string;
  database:
    | { kind: 'server'; url: string; poolMax: number; migrateOnStart: boolean }
    | { kind: 'embedded'; dataDir: string; migrateOnStart: boolean };
  tokens: {
    issuer: string;
    audience: string;
    /** null outside production means: generate an ephemeral key and say so. */
    signingKeys: SigningJwk[] | null;
    accessTtlSeconds: number;
  };
  sessions: { ttlSeconds: number; idleTimeoutSeconds: number; refreshGraceSeconds: number };
  /** Cookie mode for browser apps: where the refresh token may travel and who may send it. */
  browser: { cookieSecure: boolean; corsOrigins: readonly string[] };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  graphql: {
    introspection: boolean;
    landingPage: boolean;
    hideSchemaDetails: boolean;
    limits: { depth: number; aliases: number; rootFields: number; directives: number; tokens: number; cost: number };
  };
  redis: { url: string; keyPrefix: string } | null;
  progress: { ttlSeconds: number; purgeIntervalSeconds: number };
  oauth: {
    redirectUris: readonly string[];
    stateTtlSeconds: number;
    /** null: the provider is not configured and is reported as unavailable. */
    google: {
      clientId: string;
      clientSecret: string;
      issuer: string;
      authorizationUrl: string;
      tokenUrl: string;
      jwksUrl: string;
    } | null;
    github: { clientId: string; clientSecret: string; authorizationUrl: string; tokenUrl: string; apiUrl: string } | null;
  };
  rateLimits: {
    /** Overrides of the per-field, per-tier table, keyed `Type.field`. */
    fields: Readonly<Record<string, { FREE?: number; PREMIUM?: number; ADMIN?: number; windowSeconds?: number }>>;
    loginFailures: Readonly<Partial<Record<'identifierIp' | 'ip' | 'identifier', { points: number; windowSeconds: number }>>>;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function parseConfig(env: Env): Readonly<Config> {
  // An empty variable means "not set", as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  const e = result.data;
  const day = 24 * 60 * 60;
  const migrateOnStart = e.MIGRATE_ON_START ?? e.NODE_ENV !== 'production';
  const production = e.NODE_ENV === 'production';
  const config: Config = {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      maxBodyBytes: e.MAX_BODY_BYTES,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      trustProxy: e.TRUST_PROXY ?? false,
    },
    logLevel: e.LOG_LEVEL,
    database: e.DATABASE_URL
      ? { kind: 'server', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, migrateOnStart }
      : { kind: 'embedded', dataDir: e.EMBEDDED_DATA_DIR, migrateOnStart },
    tokens: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      signingKeys: e.JWT_SIGNING_KEYS ?? null,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_MINUTES * 60,
    },
    sessions: {
      ttlSeconds: e.SESSION_TTL_DAYS * day,
      idleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_DAYS * day,
      refreshGraceSeconds: e.REFRESH_GRACE_SECONDS,
    },
    // Plain-http cookies only where a developer runs on localhost without TLS.
    browser: { cookieSecure: e.COOKIE_SECURE ?? e.NODE_ENV !== 'development', corsOrigins: e.CORS_ORIGINS ?? [] },
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_ITERATIONS, parallelism: e.ARGON2_PARALLELISM },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? !production,
      landingPage: e.NODE_ENV === 'development',
      hideSchemaDetails: production,
      limits: {
        depth: e.GRAPHQL_MAX_DEPTH,
        aliases: e.GRAPHQL_MAX_ALIASES,
        rootFields: e.GRAPHQL_MAX_ROOT_FIELDS,
        directives: e.GRAPHQL_MAX_DIRECTIVES,
        tokens: e.GRAPHQL_MAX_TOKENS,
        cost: e.GRAPHQL_MAX_COST,
      },
    },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : null,
    progress: { ttlSeconds: e.PROGRESS_TTL_HOURS * 3600, purgeIntervalSeconds: e.PROGRESS_PURGE_INTERVAL_SECONDS },
    oauth: {
      redirectUris: e.OAUTH_REDIRECT_URIS ?? [],
      stateTtlSeconds: e.OAUTH_STATE_TTL_SECONDS,
      google:
        e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
          ? {
              clientId: e.GOOGLE_CLIENT_ID,
              clientSecret: e.GOOGLE_CLIENT_SECRET,
              issuer: e.GOOGLE_ISSUER,
              authorizationUrl: e.GOOGLE_AUTHORIZATION_URL,
              tokenUrl: e.GOOGLE_TOKEN_URL,
              jwksUrl: e.GOOGLE_JWKS_URL,
            }
          : null,
      github:
        e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
          ? {
              clientId: e.GITHUB_CLIENT_ID,
              clientSecret: e.GITHUB_CLIENT_SECRET,
              authorizationUrl: e.GITHUB_AUTHORIZATION_URL,
              tokenUrl: e.GITHUB_TOKEN_URL,
              apiUrl: e.GITHUB_API_URL,
            }
          : null,
    },
    rateLimits: { fields: e.RATE_LIMITS ?? {}, loginFailures: e.LOGIN_FAILURE_LIMITS ?? {} },
  };
  return deepFreeze(config);
}

/** The process environment, with a `.env` file layered under it in development. */
export function readEnvironment(): Env {
  if ((process.env.NODE_ENV ?? 'development') === 'development' && existsSync('.env')) {
    process.loadEnvFile('.env'); // never overrides variables already set
  }
  return process.env;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
