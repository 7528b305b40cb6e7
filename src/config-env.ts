import { z } from 'zod';

/**
 * Every environment variable Tollgate reads, with its type, bounds and default. config.ts parses the
 * environment against this once at start-up and shapes the result into a Config.
 */

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** "a, b,,c" → ["a", "b", "c"]. */
const commaList = z.string().transform((raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** "host:port, host:port" → [{ host, port }]; an IPv6 host in brackets ("[::1]:26379"). */
const hostPorts = commaList.transform((items, ctx) => {
  const parsed = items.map((item) => /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(item));
  const bad = items.filter((_, i) => !parsed[i] || Number(parsed[i]?.[3]) > 65535 || Number(parsed[i]?.[3]) < 1);
  if (bad.length || items.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a comma-separated list of host:port${bad.length ? ` (not ${bad.join(', ')})` : ''}`,
    });
    return z.NEVER;
  }
  return parsed.map((m) => ({ host: (m?.[1] ?? m?.[2]) as string, port: Number(m?.[3]) }));
});

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

/** OUTBOX_KEYS: "kid:key,kid:key", each key 32 random bytes in base64url; the first seals, every one opens. */
const outboxKeys = commaList.pipe(
  z
    .array(
      z.string().transform((entry, ctx) => {
        const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{43})$/.exec(entry);
        const key = match ? Buffer.from(match[2] as string, 'base64url') : null;
        if (!match || key?.length !== 32) {
          ctx.addIssue({
            code: 'custom',
            message: 'each entry must be kid:key, the key 32 random bytes in base64url (see npm run keygen)',
          });
          return z.NEVER;
        }
        return { kid: match[1] as string, key: match[2] as string };
      }),
    )
    .min(1)
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'every key needs a distinct kid'),
);

/** A link the SPA hosts, with {token} where the email token goes. */
const linkTemplate = z
  .url({ protocol: /^https?$/ })
  .refine((url) => url.includes('{token}'), 'must contain {token}, where the email token goes');

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_DIRECT_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off']).optional(),
    DATABASE_POOL_MAX: int(1, 100).default(10),
    EMBEDDED_DATA_DIR: z.string().min(1).default('.data/pglite'),
    MIGRATE_ON_START: bool.optional(),
    DATABASE_ACQUIRE_TIMEOUT_MS: int(100, 60_000).default(2000),
    DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
    BUS_RECONNECT_MAX_MS: int(100, 60_000).default(5000),

    JWT_ISSUER: z.string().min(1).default('urn:tollgate'),
    JWT_AUDIENCE: z.string().min(1).default('urn:tollgate:api'),
    JWT_SIGNING_KEYS: signingKeyList.optional(),
    ACCESS_TOKEN_TTL_MINUTES: int(5, 60).default(15),
    SESSION_TTL_DAYS: int(1, 365).default(30),
    SESSION_IDLE_TIMEOUT_DAYS: int(1, 365).default(7),
    REFRESH_GRACE_SECONDS: int(0, 60).default(10),
    PROGRESS_TTL_HOURS: int(1, 24 * 30).default(24),
    PROGRESS_PURGE_INTERVAL_SECONDS: int(10, 86_400).default(600),
    SECURITY_EVENT_RETENTION_DAYS: int(1, 3650).default(400),
    SESSION_RETENTION_DAYS: int(0, 3650).default(30),
    MAIL_RETENTION_DAYS: int(0, 3650).default(7),
    PURGE_BATCH_SIZE: int(10, 100_000).default(1000),
    PURGE_MAX_BATCHES: int(1, 100_000).default(200),
    COOKIE_SECURE: bool.optional(),
    CORS_ORIGINS: commaList.pipe(z.array(z.url({ protocol: /^https?$/ }).transform((o) => new URL(o).origin))).optional(),

    ARGON2_MEMORY_KIB: int(8192, 1048576).default(19456),
    ARGON2_ITERATIONS: int(1, 20).default(2),
    ARGON2_PARALLELISM: int(1, 16).default(1),
    // Read by libuv itself (argon2 runs on its thread pool); read here only to tell running hashes from waiting ones.
    UV_THREADPOOL_SIZE: int(1, 1024).default(4),

    GRAPHQL_INTROSPECTION: bool.optional(),
    GRAPHQL_MAX_DEPTH: int(2, 50).default(10),
    GRAPHQL_MAX_ALIASES: int(1, 200).default(30),
    GRAPHQL_MAX_ROOT_FIELDS: int(1, 200).default(30),
    GRAPHQL_MAX_DIRECTIVES: int(1, 200).default(20),
    GRAPHQL_MAX_TOKENS: int(100, 100_000).default(2000),
    GRAPHQL_MAX_COST: int(100, 1_000_000).default(5000),

    OAUTH_REDIRECT_URIS: commaList.pipe(z.array(z.url({ protocol: /^https?$/ }))).optional(),
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
    REDIS_SENTINELS: hostPorts.optional(),
    REDIS_SENTINEL_NAME: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    REDIS_CLUSTER_NODES: hostPorts.optional(),
    REDIS_CONNECT_TIMEOUT_MS: int(50, 60_000).default(1000),
    REDIS_COMMAND_TIMEOUT_MS: int(10, 10_000).default(500),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/)
      .default('tollgate'),
    TRUST_PROXY: trustProxy.optional(),
    RATE_LIMITS: json(z.record(z.string().regex(/^[A-Z][A-Za-z]*\.[a-z][A-Za-z]*$/), tierLimits)).optional(),
    LOGIN_FAILURE_LIMITS: json(
      z.strictObject({
        device: windowLimit.optional(),
        identifierIp: windowLimit.optional(),
        ip: windowLimit.optional(),
        identifier: windowLimit.optional(),
      }),
    ).optional(),
    AUTH_HMAC_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43,}$/, 'must be at least 32 random bytes in base64url (see npm run keygen)')
      .optional(),
    REQUIRE_VERIFIED_EMAIL: bool.default(false),
    SIGNUP_MODE: z.enum(['open', 'verify-first']).optional(),
    OUTBOX_KEYS: outboxKeys.optional(),
    MAIL_ENABLED: bool.default(true),
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    MAIL_FROM: z.string().min(3).max(254).optional(),
    EMAIL_VERIFY_URL: linkTemplate.optional(),
    PASSWORD_RESET_URL: linkTemplate.optional(),
    EMAIL_CHANGE_URL: linkTemplate.optional(),
    EMAIL_CHANGE_REVERT_URL: linkTemplate.optional(),
    MAIL_MAX_ATTEMPTS: int(1, 50).default(8),
    MAIL_RETRY_BASE_SECONDS: int(1, 3600).default(30),
    MAIL_POLL_INTERVAL_MS: int(10, 600_000).default(5000),
    MAIL_BREAKER_FAILURES: int(1, 100).default(5),
    MAIL_BREAKER_RESET_MS: int(10, 3_600_000).default(30_000),
    NOTIFY_PASSWORD_CHANGED: bool.default(true),
    NOTIFY_EMAIL_CHANGED: bool.default(true),
    NOTIFY_NEW_SIGN_IN: bool.default(true),
    MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(100 * 1024),
    WS_CONNECTION_INIT_TIMEOUT_MS: int(100, 30_000).default(2000),
    WS_MAX_SOCKETS_PER_ADDRESS: int(1, 10_000).default(50),
    WS_MAX_SOCKETS_PER_USER: int(1, 1000).default(10),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 1000).default(20),
    WS_MAX_SUBSCRIPTIONS_PER_USER: int(1, 10_000).default(50),
    SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
    HTTP_HEADERS_TIMEOUT_MS: int(1000, 120_000).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: int(1000, 600_000).default(30_000),
    MAX_CONNECTIONS_PER_ADDRESS: int(0, 100_000).default(100),

    METRICS_ENABLED: bool.default(true),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_PORT: int(0, 65535).default(9464),
    // The standard OpenTelemetry names: tracing is on exactly when an endpoint is set. The SDK reads the
    // other standard OTEL_* variables (headers, timeout, sampler, batch sizes, resource attributes) itself.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    OTEL_EXPORTER_OTLP_PROTOCOL: z
      .enum(['http/protobuf', 'http/json', 'grpc'])
      .refine((p) => p !== 'grpc', 'grpc is not supported here: use http/protobuf or http/json')
      .default('http/protobuf'),
    OTEL_SERVICE_NAME: z.string().min(1).max(200).default('tollgate'),
    AUDIT_RETENTION_DAYS: int(1, 36_500).default(400),
  })
  .superRefine((env, ctx) => {
    // Node refuses a header deadline later than the whole request's.
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS' });
    }
    const redisTargets = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((name) => env[name]);
    if (redisTargets.length > 1) {
      ctx.addIssue({ code: 'custom', path: [redisTargets[1] as string], message: `set only one of ${redisTargets.join(', ')}` });
    }
    if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_SENTINEL_NAME'],
        message: 'is required with REDIS_SENTINELS: the master the Sentinels watch',
      });
    }
    if (env.DATABASE_DIRECT_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_DIRECT_URL'],
        message: 'needs DATABASE_URL, the pooled connection it sits beside',
      });
    }
    // Nobody could ever confirm an address, so nobody could sign up.
    if (env.SIGNUP_MODE === 'verify-first' && !env.MAIL_ENABLED) {
      ctx.addIssue({ code: 'custom', path: ['SIGNUP_MODE'], message: 'verify-first needs mail (MAIL_ENABLED=true)' });
    }
    // Metrics have their own listener so that the API port never exposes them.
    if (env.METRICS_ENABLED && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: 'must differ from PORT: metrics are never served on the API port',
      });
    }
    if (env.NODE_ENV !== 'production') return;
    // Production must never run on a throwaway key or an embedded database.
    if (!env.JWT_SIGNING_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SIGNING_KEYS'], message: 'is required in production' });
    }
    if (!env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production' });
    }
    // Device tokens must outlive a restart and be honoured by every instance.
    if (!env.AUTH_HMAC_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_HMAC_KEY'], message: 'is required in production' });
    }
    // Mail is how people prove their address and get back in: production either sends it or says it is off.
    if (env.MAIL_ENABLED) {
      // OUTBOX_KEYS: pending mail holds live links; a key derived or made up per process would not do.
      const required = [
        'SMTP_URL',
        'MAIL_FROM',
        'EMAIL_VERIFY_URL',
        'PASSWORD_RESET_URL',
        'EMAIL_CHANGE_URL',
        'OUTBOX_KEYS',
        'EMAIL_CHANGE_REVERT_URL',
      ] as const;
      for (const name of required) {
        if (!env[name]) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production unless MAIL_ENABLED=false' });
        }
      }
    }
  });

const { shape } = envSchema;
/**
 * Only what a command working on the database reads (migrate, admin): it must not demand the server's
 * signing keys, HMAC key or SMTP settings, which it never uses.
 */
export const databaseEnvSchema = z
  .object({
    NODE_ENV: shape.NODE_ENV,
    DATABASE_URL: shape.DATABASE_URL,
    DATABASE_DIRECT_URL: shape.DATABASE_DIRECT_URL,
    DATABASE_PREPARED_STATEMENTS: shape.DATABASE_PREPARED_STATEMENTS,
    DATABASE_POOL_MAX: shape.DATABASE_POOL_MAX,
    EMBEDDED_DATA_DIR: shape.EMBEDDED_DATA_DIR,
    MIGRATE_ON_START: shape.MIGRATE_ON_START,
    DATABASE_ACQUIRE_TIMEOUT_MS: shape.DATABASE_ACQUIRE_TIMEOUT_MS,
    DATABASE_STATEMENT_TIMEOUT_MS: shape.DATABASE_STATEMENT_TIMEOUT_MS,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production' });
    }
  });

/** Every variable Tollgate reads; .env.example and docker-compose.yml must list the same set. */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

export type SigningJwk = z.infer<typeof publicJwk> & { d?: string };
