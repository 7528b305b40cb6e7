import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { createBackgroundTasks } from './background.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createRequestContext } from './context.js';
import { openDatabase } from './db/open.js';
import { PendingMigrationsError, pendingMigrations } from './db/pending-migrations.js';
import { createAdmission } from './graphql/admission.js';
import { createApollo } from './graphql/apollo.js';
import { buildGraphQLSchema } from './graphql/schema.js';
import { createRateLimitDirective } from './graphql/rate-limit.directive.js';
import { busCheck, databaseCheck, mailCheck, redisCheck, runChecks } from './health.js';
import { clientIpResolver } from './http/client-ip.js';
import { isLoopbackHost } from './http/loopback-host.js';
import { noRefreshCookie, refreshCookieFor } from './http/refresh-cookie.js';
import { attachSubscriptions } from './http/subscriptions.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createAuditLog } from './modules/audit/audit.service.js';
import { createLocalBus, createPostgresBus } from './modules/realtime/change-bus.js';
import { createSharedCaps } from './modules/realtime/shared-caps.js';
import { createSecurityEvents } from './modules/security-event/security-event.service.js';
import { createServiceAccounts } from './modules/service-account/service-account.service.js';
import { createProgressService } from './modules/progress/progress.service.js';
import { createProviderClients } from './modules/oauth/oauth.clients.js';
import { createOAuthService } from './modules/oauth/oauth.service.js';
import { explorerFiles } from './http/explorer.js';
import { createHttpServer } from './http/server.js';
import { lazyChild, type Logger } from './logger.js';
import type { RefreshCookie, Services } from './modules/request/request-context.js';
import { connectRedis } from './redis.js';
import { createAccountMail } from './modules/account/account-mail.js';
import { createAccountService } from './modules/account/account.service.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createDeviceTokens, createIdentifierHasher } from './modules/auth/device-token.js';
import { emailTokenStore } from './modules/email-token/email-token.store.js';
import { devMailPage, devMailPageCsp } from './modules/mail/dev-mail-page.js';
import { createMail } from './modules/mail/mail.module.js';
import { mailStore } from './modules/mail/mail.store.js';
import { createLoginThrottle, developmentLoginFailureLimits } from './modules/auth/login-throttle.js';
import { createRetention, type PurgeReport, schedulePurge } from './modules/retention/retention.js';
import { createLimiterFactory } from './modules/rate-limit/limiter-factory.js';
import { createRateLimitStore } from './modules/rate-limit/rate-limit.store.js';
import { buildRateLimitTable, developmentRateLimits } from './modules/rate-limit/rate-limit.table.js';
import { loadCommonPasswords } from './modules/auth/common-passwords.js';
import { createPasswordHasher, type PasswordHasher } from './modules/auth/password.hasher.js';
import { bearerToken } from './modules/token/access-token.claims.js';
import { createSessionService } from './modules/session/session.service.js';
import { createAccessTokenService } from './modules/token/access-token.service.js';
import { loadKeyRing } from './modules/token/key-ring.js';
import { observeOperations } from './graphql/observe.js';
import { registerGauges } from './observability/gauges.js';
import { observeHasher, traceDatabase, tracedTransport, traceRedis } from './observability/instrument.js';
import { createMetrics } from './observability/metrics.js';
import { startMetricsServer } from './observability/metrics-server.js';
import { createTracing } from './observability/tracing.js';

export interface AppOptions {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  /** Lets tests observe a dependency by wrapping it; production passes none. */
  hooks?: { hasher?: (hasher: PasswordHasher) => PasswordHasher };
}

export interface App {
  url: string;
  /** Where Prometheus scrapes (`…/metrics`), on a listener of its own; null when METRICS_ENABLED=false. */
  metricsUrl: string | null;
  orm: MikroORM<PostgreSqlDriver>;
  services: Services;
  /** Applies every retention rule now, as the background purge does on its timer. */
  purge(): Promise<PurgeReport>;
  /** Stops taking requests, lets in-flight ones finish (bounded), then closes the database. */
  close(): Promise<void>;
}

/** The composition root: main.ts and the tests both build Tollgate here and nowhere else. */
export async function createApp({ config, logger, clock = systemClock, hooks = {} }: AppOptions): Promise<App> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => logger.error({ err }, 'close failed'));
  };
  try {
    const db = config.database;
    if (db.kind === 'embedded') {
      logger.info(
        { database: 'embedded', dataDir: db.dataDir },
        `Using the embedded Postgres (PGlite) with data in ${db.dataDir}: fine for trying Tollgate, not for production. ` +
          'Set DATABASE_URL to use a Postgres server.',
      );
    }
    const database = await openDatabase(db, { owner: 'the Tollgate server', logger });
    closers.push(() => database.close());
    const { orm } = database;
    if (db.migrateOnStart) {
      const applied = await database.migrate();
      if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
    } else {
      const pending = await pendingMigrations(orm);
      if (pending.length) throw new PendingMigrationsError(pending);
    }

    const metrics = config.metrics ? createMetrics() : null;
    const tracing = await createTracing(config.tracing, logger);
    if (tracing) {
      closers.push(() => tracing.close());
      traceDatabase((orm.em as EntityManager).getConnection().getKnex().client, tracing);
    }

    const keys = await loadKeyRing(config.tokens.signingKeys);
    if (keys.ephemeral) {
      logger.warn(
        { kid: keys.signing.kid },
        'JWT_SIGNING_KEYS is not set: signing with an ephemeral key; tokens stop working when the process restarts',
      );
    }
    const accessTokens = createAccessTokenService({
      keys,
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
      ttlSeconds: config.tokens.accessTtlSeconds,
      clock,
    });
    let redis: ReturnType<typeof connectRedis> | null = null;
    if (config.redis) {
      redis = connectRedis(config.redis, logger);
      closers.push(redis.close);
      if (tracing) traceRedis(redis.client, tracing);
    }
    if (!config.authHmacKey) {
      logger.warn('AUTH_HMAC_KEY is not set: using an ephemeral key; device tokens stop working when the process restarts');
    }
    const hmacKey = config.authHmacKey ? Buffer.from(config.authHmacKey, 'base64url') : randomBytes(32);
    // Keys Redis key names: instances must name one caller alike. Without AUTH_HMAC_KEY (never in production)
    // the names are hashed under the shared prefix, which hides them from a glance but not from a dictionary.
    const redisHashKey = config.authHmacKey
      ? hmacKey
      : createHash('sha256')
          .update(`tollgate redis keys\0${config.redis?.keyPrefix ?? ''}`)
          .digest();
    const makeLimiter = createLimiterFactory(
      redis && config.redis ? { client: redis.client, keyPrefix: config.redis.keyPrefix, hashKey: redisHashKey } : null,
    );
    const sharedCaps =
      redis && config.redis
        ? createSharedCaps({ client: redis.client, keyPrefix: config.redis.keyPrefix, hashKey: redisHashKey, log: logger })
        : null;
    // Generous sign-up and sign-in budgets in development (a developer is one address all day); RATE_LIMITS
    // and LOGIN_FAILURE_LIMITS still win, and no other environment sees these.
    const development = config.env === 'development';
    const rateLimits = createRateLimitStore(
      buildRateLimitTable({ ...(development ? developmentRateLimits : {}), ...config.rateLimits.fields }),
      makeLimiter,
    );
    const loginFailureLimits = { ...(development ? developmentLoginFailureLimits : {}), ...config.rateLimits.loginFailures };

    const bus =
      db.kind === 'server'
        ? await createPostgresBus(
            {
              url: database.url,
              timeoutMs: db.timeouts.acquireMs + db.timeouts.statementMs,
              reconnectMaxMs: config.busReconnectMaxMs,
            },
            (orm.em as EntityManager).fork(),
            logger,
          )
        : createLocalBus();
    closers.push(() => bus.close());

    const securityEvents = createSecurityEvents(clock);
    const background = createBackgroundTasks(logger);
    closers.push(() => background.drain());
    const sessions = createSessionService({ clock, events: securityEvents, bus, ...config.sessions });
    const progress = createProgressService({ clock, ttlSeconds: config.progress.ttlSeconds, bus, sessions });
    const fork = () => (orm.em as EntityManager).fork();
    const mail = createMail(config.mail, {
      env: config.env,
      fork,
      clock,
      logger,
      hmacKey: config.authHmacKey,
      observe: metrics ? { sent: () => metrics.mailSent.inc(), dead: () => metrics.mailDead.inc() } : undefined,
      wrapTransport: tracing ? (transport) => tracedTransport(transport, tracing) : undefined,
    });
    if (mail.sender) closers.push(() => mail.sender?.close() ?? Promise.resolve());
    const accountMail = createAccountMail({ mailer: mail.mailer, fork, background, makeLimiter, clock, log: logger });
    const realHasher = await createPasswordHasher(config.argon2);
    const givenHasher = hooks.hasher?.(realHasher) ?? realHasher;
    const hasher = metrics || tracing ? observeHasher(givenHasher, metrics, tracing) : givenHasher;
    // One throttle for sign-in and for re-authentication: a guess at the password costs the same budget either way.
    const deviceTokens = createDeviceTokens(hmacKey);
    const loginThrottle = createLoginThrottle(makeLimiter, clock, loginFailureLimits);
    const auth = createAuthService({
      hasher,
      isCommonPassword: loadCommonPasswords(),
      sessions,
      accessTokens,
      events: securityEvents,
      background,
      throttle: loginThrottle,
      deviceTokens,
      hashIdentifier: createIdentifierHasher(hmacKey),
      accountMail,
      requireVerifiedEmail: config.accounts.requireVerifiedEmail,
      signupMode: config.accounts.signupMode,
      clock,
    });
    const oauth = createOAuthService({
      clients: createProviderClients(config.oauth),
      redirectUris: config.oauth.redirectUris,
      stateTtlSeconds: config.oauth.stateTtlSeconds,
      auth,
      events: securityEvents,
      clock,
    });
    const accounts = createAccountService({
      hasher,
      throttle: loginThrottle,
      deviceTokens,
      isCommonPassword: loadCommonPasswords(),
      sessions,
      auth,
      events: securityEvents,
      mailer: mail.mailer,
      accountMail,
      clock,
    });
    const audit = createAuditLog({ clock, retentionDays: config.audit.retentionDays });
    const services: Services = {
      clock,
      auth,
      sessions,
      accessTokens,
      securityEvents,
      rateLimits,
      progress,
      bus,
      oauth,
      serviceAccounts: createServiceAccounts(clock, audit, bus),
      admin: createAdminService(audit),
      accounts,
      audit,
    };

    // Rows past their retention (src/modules/retention) are deleted in the background, in bounded batches.
    const retention = createRetention(config.retention, { fork, clock }, [
      // The audit log keeps its own (longer) retention and purges through its trigger's guard.
      ['auditEntries', (em) => audit.purgeExpired(em)],
    ]);
    const stopPurge = schedulePurge(retention, config.progress.purgeIntervalSeconds * 1000, logger);
    closers.push(async () => stopPurge());

    const schema = await buildGraphQLSchema(
      createRateLimitDirective(
        rateLimits,
        clock,
        metrics ? (field, tier, calls) => metrics.rateLimitRefusals.inc({ field, tier }, calls) : undefined,
      ),
    );
    const admission = createAdmission({ ...config.graphql, development: config.env === 'development' });
    const apollo = createApollo(schema, {
      admission,
      landingPage: config.graphql.landingPage,
      observe: observeOperations(schema, metrics, tracing),
    });
    await apollo.start();
    closers.push(() => apollo.stop());

    const em = orm.em as EntityManager;
    const clientIp = clientIpResolver(config.http.trustProxy);
    const cookieOptions = { secure: config.browser.cookieSecure, corsOrigins: config.browser.corsOrigins };
    /** One request's context, over HTTP or a WebSocket operation alike. */
    const contextFor = (
      req: IncomingMessage,
      requestId: string,
      log: () => Logger,
      bearer: string | null,
      refreshCookie: RefreshCookie,
    ) =>
      createRequestContext({
        requestId,
        log,
        fork: () => em.fork(),
        reader: em,
        services,
        client: { ip: clientIp(req), userAgent: req.headers['user-agent'] ?? null },
        bearer,
        refreshCookie,
      });
    const http = createHttpServer({
      apollo,
      log: logger,
      maxBodyBytes: config.http.maxBodyBytes,
      headersTimeoutMs: config.http.headersTimeoutMs,
      requestTimeoutMs: config.http.requestTimeoutMs,
      maxConnectionsPerAddress: config.http.maxConnectionsPerAddress,
      corsOrigins: config.browser.corsOrigins,
      buildContext: (req, res, requestId, log) =>
        contextFor(req, requestId, log, bearerToken(req.headers.authorization), refreshCookieFor(req, res, cookieOptions)),
      observeGraphQL: metrics ? (seconds) => metrics.requestDuration.observe(seconds) : undefined,
      tracing,
      routes: {
        '/health/live': async () => ({ status: 200, body: { status: 'live', checks: {} } }),
        '/health/ready': () =>
          runChecks({
            database: databaseCheck(orm),
            bus: busCheck(bus),
            ...(redis ? { redis: redisCheck(redis) } : {}),
            ...(mail.sender ? { mail: mailCheck(mail.sender.circuit) } : {}),
          }),
        '/.well-known/jwks.json': async () => ({ status: 200, body: keys.publicJwks, cacheSeconds: 300 }),
        ...(config.env === 'development' && mail.recent
          ? {
              // Live links: only for the developer's own browser, never a rebound hostile name (see isLoopbackHost).
              '/dev/mail': async (req: IncomingMessage) =>
                isLoopbackHost(req.headers.host)
                  ? { status: 200, body: devMailPage(mail.recent?.() ?? []), html: true, csp: devMailPageCsp }
                  : { status: 403, body: { error: 'the dev mail page answers only at localhost, 127.0.0.1 or [::1]' } },
            }
          : {}),
      },
      // GraphiQL served from this server, for development without the internet (Sandbox needs it).
      ...(config.env === 'development' ? { files: explorerFiles() } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.http.port, config.http.host, resolve);
    });
    closers.push(() => http.drain(config.http.shutdownTimeoutMs));
    const subscriptions = attachSubscriptions({
      http,
      schema,
      admission,
      bus,
      rateLimits,
      log: logger,
      now: clock,
      maxPayload: config.http.maxBodyBytes,
      limits: config.subscriptions,
      sharedCaps,
      clientIp,
      buildContext: (req, bearer, requestId) =>
        contextFor(req, requestId, lazyChild(logger, { reqId: requestId }), bearer, noRefreshCookie),
    });
    closers.push(() => subscriptions.close());

    let metricsUrl: string | null = null;
    if (metrics && config.metrics) {
      registerGauges(metrics, {
        clock,
        outbox: () => mailStore.backlog(orm.em.fork()),
        breakerOpen: () => mail.sender?.circuit() === 'open',
        busConnected: () => bus.problem() === null,
        redisFallback: () => redis?.problem() != null,
        pool: () => (orm.em as EntityManager).getConnection().getKnex().client.pool,
        subscriptions: () => subscriptions.stats(),
        threadPoolSize: config.threadPoolSize,
      });
      const server = await startMetricsServer(metrics.registry, config.metrics, logger).catch((err: unknown) => {
        // Production fails loudly: an operator who set up scraping must know. In development a second
        // process on the machine (a test, a bench, another checkout) holding the port must not stop the API.
        if (config.env === 'production' || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
        logger.warn(
          { err: { message: (err as Error).message } },
          `metrics are not served: ${config.metrics?.host}:${config.metrics?.port} is in use (set METRICS_PORT)`,
        );
        return null;
      });
      if (server) {
        closers.push(() => server.close());
        metricsUrl = server.url;
      }
    }
    const { port } = http.address() as AddressInfo;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      metricsUrl,
      orm,
      services,
      purge: () => retention.purge(),
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
