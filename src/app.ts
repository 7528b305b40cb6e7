import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { createBackgroundTasks } from './background.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createRequestContext } from './context.js';
import { migrate } from './db/orm.js';
import { openDatabase } from './db/open.js';
import { createAdmission } from './graphql/admission.js';
import { createApollo } from './graphql/apollo.js';
import { buildGraphQLSchema } from './graphql/schema.js';
import { createRateLimitDirective } from './graphql/rate-limit.directive.js';
import { busCheck, databaseCheck, mailCheck, redisCheck, runChecks } from './health.js';
import { clientIpResolver } from './http/client-ip.js';
import { noRefreshCookie, refreshCookieFor } from './http/refresh-cookie.js';
import { attachSubscriptions } from './http/subscriptions.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createLocalBus, createPostgresBus } from './modules/realtime/change-bus.js';
import { createSecurityEvents } from './modules/security-event/security-event.service.js';
import { createServiceAccounts } from './modules/service-account/service-account.service.js';
import { createProgressService } from './modules/progress/progress.service.js';
import { createProviderClients } from './modules/oauth/oauth.clients.js';
import { createOAuthService } from './modules/oauth/oauth.service.js';
import { createHttpServer } from './http/server.js';
import { lazyChild, type Logger } from './logger.js';
import type { RefreshCookie, Services } from './modules/request/request-context.js';
import { connectRedis } from './redis.js';
import { createAccountMail } from './modules/account/account-mail.js';
import { createAccountService } from './modules/account/account.service.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createDeviceTokens, createIdentifierHasher } from './modules/auth/device-token.js';
import { emailTokenStore } from './modules/email-token/email-token.store.js';
import { createMail, devMailPage } from './modules/mail/mail.module.js';
import { mailStore } from './modules/mail/mail.store.js';
import { createLoginThrottle } from './modules/auth/login-throttle.js';
import { createLimiterFactory } from './modules/rate-limit/limiter-factory.js';
import { createRateLimitStore } from './modules/rate-limit/rate-limit.store.js';
import { buildRateLimitTable } from './modules/rate-limit/rate-limit.table.js';
import { loadCommonPasswords } from './modules/auth/common-passwords.js';
import { createPasswordHasher, type PasswordHasher } from './modules/auth/password.hasher.js';
import { bearerToken } from './modules/token/access-token.claims.js';
import { createSessionService } from './modules/session/session.service.js';
import { createAccessTokenService } from './modules/token/access-token.service.js';
import { loadKeyRing } from './modules/token/key-ring.js';

export interface AppOptions {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  /** Lets tests observe a dependency by wrapping it; production passes none. */
  hooks?: { hasher?: (hasher: PasswordHasher) => PasswordHasher };
}

export interface App {
  url: string;
  orm: MikroORM<PostgreSqlDriver>;
  services: Services;
  /** Stops taking requests, lets in-flight ones finish (bounded), then closes the database. */
  close(): Promise<void>;
}

/** Sent and dead mail rows (bodies already cleared) are kept this long for support, then purged. */
const MAIL_KEPT_MS = 7 * 24 * 3600 * 1000;

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
      const applied = await migrate(orm);
      if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
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
    }
    const makeLimiter = createLimiterFactory(
      redis && config.redis ? { client: redis.client, keyPrefix: config.redis.keyPrefix } : null,
    );
    const rateLimits = createRateLimitStore(buildRateLimitTable(config.rateLimits.fields), makeLimiter);

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
    if (!config.authHmacKey) {
      logger.warn('AUTH_HMAC_KEY is not set: using an ephemeral key; device tokens stop working when the process restarts');
    }
    const hmacKey = config.authHmacKey ? Buffer.from(config.authHmacKey, 'base64url') : randomBytes(32);
    const fork = () => (orm.em as EntityManager).fork();
    const mail = createMail(config.mail, { env: config.env, fork, clock, logger });
    if (mail.sender) closers.push(() => mail.sender?.close() ?? Promise.resolve());
    const accountMail = createAccountMail({ mailer: mail.mailer, fork, background, makeLimiter, clock, log: logger });
    const realHasher = await createPasswordHasher(config.argon2);
    const hasher = hooks.hasher?.(realHasher) ?? realHasher;
    // One throttle for sign-in and for re-authentication: a guess at the password costs the same budget either way.
    const deviceTokens = createDeviceTokens(hmacKey);
    const loginThrottle = createLoginThrottle(makeLimiter, clock, config.rateLimits.loginFailures);
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
      serviceAccounts: createServiceAccounts(clock),
      admin: createAdminService(),
      accounts,
    };

    // Expired progress records and abandoned OAuth states are deleted in the background.
    const purge = setInterval(() => {
      const em = orm.em.fork();
      Promise.all([
        progress.purgeExpired(em),
        oauth.purgeExpiredStates(em),
        emailTokenStore.purgeExpired(em, clock()),
        mailStore.purgeFinished(em, new Date(clock().getTime() - MAIL_KEPT_MS)),
      ]).then(
        ([records, states]) => (records || states) && logger.info({ records, states }, 'purged expired rows'),
        (err: unknown) => logger.error({ err }, 'purge failed'),
      );
    }, config.progress.purgeIntervalSeconds * 1000).unref();
    closers.push(async () => clearInterval(purge));

    const schema = await buildGraphQLSchema(createRateLimitDirective(rateLimits, clock));
    const admission = createAdmission({ ...config.graphql, development: config.env === 'development' });
    const apollo = createApollo(schema, { admission, landingPage: config.graphql.landingPage });
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
          ? { '/dev/mail': async () => ({ status: 200, body: devMailPage(mail.recent?.() ?? []), html: true }) }
          : {}),
      },
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
      clientIp,
      buildContext: (req, bearer, requestId) =>
        contextFor(req, requestId, lazyChild(logger, { reqId: requestId }), bearer, noRefreshCookie),
    });
    closers.push(() => subscriptions.close());
    const { port } = http.address() as AddressInfo;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

    let closing: Promise<void> | undefined;
    return { url: `http://${host}:${port}`, orm, services, close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
