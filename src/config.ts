import { existsSync } from 'node:fs';
import { databaseEnvSchema, envSchema, type SigningJwk } from './config-env.js';
import type { z } from 'zod';

/** The environment, parsed and validated once at start-up. Nothing else under src/ reads process.env. */

/** Where local dev servers serve a browser app (Vite, its preview, and the common :3000), so its first request is not a 403. */
export const developmentOrigins: readonly string[] = ['5173', '4173', '3000'].flatMap((port) => [
  `http://localhost:${port}`,
  `http://127.0.0.1:${port}`,
]);

/** How long a request may wait for a pooled connection, and how long one statement may run. */
export interface DatabaseTimeouts {
  acquireMs: number;
  statementMs: number;
}

export type HostPort = { host: string; port: number };

/** Where the shared counters live: one Redis, the master a set of Sentinels names, or a Cluster. */
export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: readonly HostPort[]; name: string }
  | { kind: 'cluster'; nodes: readonly HostPort[] };

export interface Config {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    maxBodyBytes: number;
    shutdownTimeoutMs: number;
    /** A client must have sent its headers, and its whole request, within these; Node answers 408 otherwise. */
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    /** Open connections one peer address may hold; 0: no cap. */
    maxConnectionsPerAddress: number;
    /** false: the socket address is the client; otherwise what proxy-addr should trust. */
    trustProxy: number | readonly string[] | false;
  };
  logLevel: string;
  database:
    | {
        kind: 'server';
        /** Every request's statements: Postgres itself, or a pooler in transaction mode in front of it. */
        url: string;
        /** A session of its own, for what a transaction-mode pooler cannot carry: LISTEN, migrations. */
        directUrl: string;
        /** url and directUrl differ: a pooler may hand each transaction a different server connection. */
        pooled: boolean;
        /** Named prepared statements (parsed once per connection); false: unnamed ones, which any pooler carries. */
        preparedStatements: boolean;
        poolMax: number;
        migrateOnStart: boolean;
        timeouts: DatabaseTimeouts;
      }
    | { kind: 'embedded'; dataDir: string; migrateOnStart: boolean; timeouts: DatabaseTimeouts };
  /** The cap of the change bus's reconnect backoff, in ms. */
  busReconnectMaxMs: number;
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
  /** libuv's thread pool, where argon2 runs (UV_THREADPOOL_SIZE, which libuv reads itself). */
  threadPoolSize: number;
  graphql: {
    introspection: boolean;
    landingPage: boolean;
    hideSchemaDetails: boolean;
    limits: { depth: number; aliases: number; rootFields: number; directives: number; tokens: number; cost: number };
  };
  /** graphql-ws on /graphql: its frames are capped at http.maxBodyBytes like a request body. */
  subscriptions: {
    connectionInitTimeoutMs: number;
    maxSocketsPerAddress: number;
    maxSocketsPerUser: number;
    maxPerSocket: number;
    maxPerUser: number;
  };
  redis: { target: RedisTarget; keyPrefix: string; connectTimeoutMs: number; commandTimeoutMs: number } | null;
  progress: { ttlSeconds: number; purgeIntervalSeconds: number };
  /** How long rows that grow with traffic are kept, and how the purge (every progress.purgeIntervalSeconds) deletes them. */
  retention: {
    securityEventDays: number;
    endedSessionDays: number;
    finishedMailDays: number;
    batchSize: number;
    maxBatches: number;
  };
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
  accounts: {
    /** No session until the address is verified: REQUIRE_VERIFIED_EMAIL, or implied by verify-first sign-up. */
    requireVerifiedEmail: boolean;
    /** verify-first: register answers RegistrationPending for new and taken addresses alike (docs/guide/signup.md). */
    signupMode: 'open' | 'verify-first';
  };
  mail: {
    /** false: nothing is sent and the mutations that need mail answer MAIL_DISABLED. */
    enabled: boolean;
    /** null: outside production, mail goes to the log and the dev mail page instead of a server. */
    smtpUrl: string | null;
    from: string;
    links: { verifyEmail: string; resetPassword: string; changeEmail: string; revertEmailChange: string };
    maxAttempts: number;
    retryBaseSeconds: number;
    pollIntervalMs: number;
    breaker: { failures: number; resetMs: number };
    notify: { passwordChanged: boolean; emailChanged: boolean; newSignIn: boolean };
    /** Keys (base64url, 32 bytes) that seal outbox bodies, the first sealing; null outside production: derived from AUTH_HMAC_KEY, or ephemeral. */
    outboxKeys: readonly { kid: string; key: string }[] | null;
  };
  rateLimits: {
    /** Overrides of the per-field, per-tier table, keyed `Type.field`. */
    fields: Readonly<Record<string, { FREE?: number; PREMIUM?: number; ADMIN?: number; windowSeconds?: number }>>;
    loginFailures: Readonly<
      Partial<Record<'device' | 'identifierIp' | 'ip' | 'identifier', { points: number; windowSeconds: number }>>
    >;
  };
  /** Prometheus metrics on a listener of their own; null: METRICS_ENABLED=false. */
  metrics: { host: string; port: number } | null;
  /** OpenTelemetry traces over OTLP/HTTP; null: no OTEL_EXPORTER_OTLP_ENDPOINT, no tracing at all. */
  tracing: { endpoint: string; protocol: 'http/protobuf' | 'http/json'; serviceName: string } | null;
  /** Admin actions are kept this many days, then purged in batches. */
  audit: { retentionDays: number };
  /** Keys device tokens and the identifier hashes in logs (base64url); null outside production: an ephemeral key. */
  authHmacKey: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function redisTarget(e: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: HostPort[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_CLUSTER_NODES?: HostPort[] | undefined;
}): RedisTarget | null {
  if (e.REDIS_URL) return { kind: 'url', url: e.REDIS_URL };
  if (e.REDIS_SENTINELS && e.REDIS_SENTINEL_NAME)
    return { kind: 'sentinel', sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME };
  if (e.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES };
  return null;
}

/**
 * A DATABASE_DIRECT_URL other than DATABASE_URL says DATABASE_URL is a pooler. Prepared statements then
 * default to off: a transaction-mode pooler (PgBouncer before 1.21, and others with rules of their own)
 * hands the next transaction a server connection that never saw the statement, or one that already has it.
 */
function serverDatabase(
  url: string,
  direct: string | undefined,
  prepared: 'on' | 'off' | undefined,
  rest: { poolMax: number; migrateOnStart: boolean; timeouts: DatabaseTimeouts },
) {
  const directUrl = direct ?? url;
  const pooled = directUrl !== url;
  return { kind: 'server' as const, url, directUrl, pooled, preparedStatements: prepared ? prepared === 'on' : !pooled, ...rest };
}

/** The environment against a schema; an empty variable means "not set", as in most .env tooling. */
function validate<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  return result.data;
}

type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

function databaseConfig(e: DatabaseEnv): Config['database'] {
  const migrateOnStart = e.MIGRATE_ON_START ?? e.NODE_ENV !== 'production';
  const timeouts = { acquireMs: e.DATABASE_ACQUIRE_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS };
  return e.DATABASE_URL
    ? serverDatabase(e.DATABASE_URL, e.DATABASE_DIRECT_URL, e.DATABASE_PREPARED_STATEMENTS, {
        poolMax: e.DATABASE_POOL_MAX,
        migrateOnStart,
        timeouts,
      })
    : { kind: 'embedded', dataDir: e.EMBEDDED_DATA_DIR, migrateOnStart, timeouts };
}

/** Only the database settings, for the commands that need nothing else (migrate, admin). */
export function parseDatabaseConfig(env: Env): Readonly<Config['database']> {
  return deepFreeze(databaseConfig(validate(databaseEnvSchema, env)));
}

export function parseConfig(env: Env): Readonly<Config> {
  const e = validate(envSchema, env);
  const day = 24 * 60 * 60;
  const production = e.NODE_ENV === 'production';
  const redis = redisTarget(e);
  // Production with mail: a sign-up must not say which addresses have accounts. Elsewhere today's behaviour.
  const signupMode = e.SIGNUP_MODE ?? (production && e.MAIL_ENABLED ? 'verify-first' : 'open');
  const config: Config = {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      maxBodyBytes: e.MAX_BODY_BYTES,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
      trustProxy: e.TRUST_PROXY ?? false,
    },
    logLevel: e.LOG_LEVEL,
    database: databaseConfig(e),
    busReconnectMaxMs: e.BUS_RECONNECT_MAX_MS,
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
    browser: {
      cookieSecure: e.COOKIE_SECURE ?? e.NODE_ENV !== 'development',
      corsOrigins: e.CORS_ORIGINS ?? (e.NODE_ENV === 'development' ? developmentOrigins : []),
    },
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_ITERATIONS, parallelism: e.ARGON2_PARALLELISM },
    threadPoolSize: e.UV_THREADPOOL_SIZE,
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
    subscriptions: {
      connectionInitTimeoutMs: e.WS_CONNECTION_INIT_TIMEOUT_MS,
      maxSocketsPerAddress: e.WS_MAX_SOCKETS_PER_ADDRESS,
      maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
      maxPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxPerUser: e.WS_MAX_SUBSCRIPTIONS_PER_USER,
    },
    redis: redis
      ? {
          target: redis,
          keyPrefix: e.REDIS_KEY_PREFIX,
          connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
        }
      : null,
    progress: { ttlSeconds: e.PROGRESS_TTL_HOURS * 3600, purgeIntervalSeconds: e.PROGRESS_PURGE_INTERVAL_SECONDS },
    retention: {
      securityEventDays: e.SECURITY_EVENT_RETENTION_DAYS,
      endedSessionDays: e.SESSION_RETENTION_DAYS,
      finishedMailDays: e.MAIL_RETENTION_DAYS,
      batchSize: e.PURGE_BATCH_SIZE,
      maxBatches: e.PURGE_MAX_BATCHES,
    },
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
    authHmacKey: e.AUTH_HMAC_KEY ?? null,
    accounts: {
      requireVerifiedEmail: e.REQUIRE_VERIFIED_EMAIL || signupMode === 'verify-first',
      signupMode,
    },
    metrics: e.METRICS_ENABLED ? { host: e.METRICS_HOST, port: e.METRICS_PORT } : null,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
          protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL as 'http/protobuf' | 'http/json',
          serviceName: e.OTEL_SERVICE_NAME,
        }
      : null,
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    mail: {
      enabled: e.MAIL_ENABLED,
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM ?? 'Tollgate <no-reply@localhost>',
      // The local SPA's pages, for development; production must name its own (checked in config-env.ts).
      links: {
        verifyEmail: e.EMAIL_VERIFY_URL ?? 'http://localhost:5173/verify-email?token={token}',
        resetPassword: e.PASSWORD_RESET_URL ?? 'http://localhost:5173/reset-password?token={token}',
        changeEmail: e.EMAIL_CHANGE_URL ?? 'http://localhost:5173/confirm-email-change?token={token}',
        revertEmailChange: e.EMAIL_CHANGE_REVERT_URL ?? 'http://localhost:5173/revert-email-change?token={token}',
      },
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      retryBaseSeconds: e.MAIL_RETRY_BASE_SECONDS,
      pollIntervalMs: e.MAIL_POLL_INTERVAL_MS,
      breaker: { failures: e.MAIL_BREAKER_FAILURES, resetMs: e.MAIL_BREAKER_RESET_MS },
      notify: {
        passwordChanged: e.NOTIFY_PASSWORD_CHANGED,
        emailChanged: e.NOTIFY_EMAIL_CHANGED,
        newSignIn: e.NOTIFY_NEW_SIGN_IN,
      },
      outboxKeys: e.OUTBOX_KEYS ?? null,
    },
  };
  return deepFreeze(config);
}

/**
 * The process environment, with a `.env` file layered under it in development. `production: true` is
 * `npm run start:prod`: it runs in production whatever the shell forgot to export, and refuses a
 * NODE_ENV that says otherwise rather than guess which of the two was meant.
 */
export function readEnvironment({ production = false }: { production?: boolean } = {}): Env {
  if (production) {
    const declared = process.env.NODE_ENV;
    if (declared && declared !== 'production') {
      throw new ConfigError([`NODE_ENV: is "${declared}", but start:prod runs only in production (unset it, or use npm start)`]);
    }
    return { ...process.env, NODE_ENV: 'production' };
  }
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
