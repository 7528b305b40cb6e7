import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, unauthenticated } from './errors.js';
import type { Logger } from './logger.js';
import { RequestRateLimits } from './modules/rate-limit/rate-limit.state.js';
import { addressCaller, type Caller } from './modules/rate-limit/rate-limit.store.js';
import type { RequestContext, Services, Viewer } from './modules/request/request-context.js';
import type { ActiveSession, AlongRead } from './modules/session/session.service.js';
import type { AccessClaims } from './modules/token/access-token.claims.js';
import { looksLikeServiceKey } from './modules/service-account/service-account.key.js';
import { Tier } from './modules/user/tier.js';

/** What the HTTP and WebSocket layers know about a request before it has a context. */
export type RequestInput = Pick<RequestContext, 'requestId' | 'client' | 'services' | 'refreshCookie'> & {
  bearer: string | null;
  /** The request's child logger; called on the request's first use of `log` (see logger.ts lazyChild). */
  log(): Logger;
  /** A new EntityManager; called once, on the request's first use of `em`. */
  fork(): EntityManager;
  /**
   * For the viewer's and the service account's checks, and handed to resolvers as `sql`: plain SQL outside
   * any transaction, which needs no unit of work of its own. The root EntityManager: MikroORM refuses it any entity work
   * (allowGlobalContext is off), so a store that began to load entities here would fail loudly rather than
   * share an identity map between requests.
   */
  reader: EntityManager;
};

const LAZY = Symbol('lazy EntityManager and logger');
interface Lazy {
  fork: () => EntityManager;
  em?: EntityManager;
  log: () => Logger;
}

/**
 * `em` is forked on first use, not for every request: most requests run only prepared SQL (see
 * db/sql.ts), and a fork builds a unit of work, an identity map and copies of the filters. It is a getter
 * on the prototype over state held by reference, because Apollo hands resolvers a shallow copy of the
 * context (Object.assign, which copies an own getter's value and so would fork right away).
 */
const lazyPrototype = Object.create(Object.prototype, {
  em: {
    get(this: { [LAZY]: Lazy }) {
      const lazy = this[LAZY];
      lazy.em ??= lazy.fork();
      return lazy.em;
    },
    enumerable: false,
  },
  // Likewise the request's logger: most requests never log beyond their request line.
  log: {
    get(this: { [LAZY]: Lazy }) {
      return this[LAZY].log();
    },
    enumerable: false,
  },
}) as object;

export function createRequestContext(input: RequestInput): RequestContext {
  const { services, bearer, reader } = input;
  let viewer: Promise<Viewer> | undefined;
  // Made by the first viewerAlong: most requests read nothing beside the viewer.
  let alongside: Map<string, Promise<{ viewer: Viewer; along: unknown }>> | undefined;
  let caller: Promise<Caller> | undefined;
  let serviceAccount: ReturnType<RequestContext['serviceAccount']> | undefined;
  const fields: Omit<RequestContext, 'em' | 'log'> & { [LAZY]: Lazy } = {
    [LAZY]: { fork: input.fork, log: input.log },
    requestId: input.requestId,
    client: input.client,
    services,
    refreshCookie: input.refreshCookie,
    sql: reader,
    rateLimits: new RequestRateLimits(),
    viewer: () => (viewer ??= resolveViewer(services, bearer, sessionCheck(services, reader))),
    freshViewer: () => resolveViewer(services, bearer, sessionCheck(services, reader)),
    viewerAlong<T>(key: string, read: AlongRead<T>) {
      let both = alongside?.get(key) as Promise<{ viewer: Viewer; along: T }> | undefined;
      if (!both) {
        if (viewer) {
          both = viewer.then(async (v) => ({ viewer: v, along: await read.alone(reader, v) }));
        } else {
          let along: T;
          const resolved = resolveViewer(services, bearer, async (claims) => {
            const found = await read.together(reader, claims);
            if (found) along = found.along;
            return found?.active ?? null;
          });
          viewer = resolved;
          both = resolved.then((v) => ({ viewer: v, along }));
        }
        alongside ??= new Map();
        alongside.set(key, both);
      }
      return both;
    },
    viewerOrNull: () =>
      // No token, or a worker's key: no user, answered without building an error to throw away.
      bearer === null || looksLikeServiceKey(bearer)
        ? Promise.resolve(null)
        : context.viewer().catch((error: unknown) => {
            if (error instanceof AppError) return null;
            throw error;
          }),
    serviceAccount: () =>
      (serviceAccount ??= bearer ? services.serviceAccounts.authenticate(reader, bearer) : Promise.resolve(null)),
    caller: () =>
      // A bearer is a worker's key or a user's token, never both: only the matching check is made.
      (caller ??=
        bearer !== null && looksLikeServiceKey(bearer)
          ? context
              .serviceAccount()
              // Workers are trusted callers: they get the ADMIN budgets, counted per service account.
              .then((service) => (service ? { tier: Tier.ADMIN, key: `service:${service.id}` } : addressCaller(input.client.ip)))
          : context
              .viewerOrNull()
              .then((v) => (v ? { tier: v.user.tier, key: `user:${v.user.id}` } : addressCaller(input.client.ip)))),
  };
  const context = Object.assign(Object.create(lazyPrototype) as RequestContext, fields);
  return context;
}

const INVALID_TOKEN = 'The access token is invalid or has expired.';

/** The session check alone (one statement); viewerAlong makes it beside a field's read instead. */
const sessionCheck =
  (services: Services, em: EntityManager) =>
  (claims: AccessClaims): Promise<ActiveSession | null> =>
    services.sessions.findActive(em, claims.sid, claims.sub);

/** The token's claims, checked; then `check` says whether its session is alive, and with which user. */
async function resolveViewer(
  services: Services,
  bearer: string | null,
  check: (claims: AccessClaims) => Promise<ActiveSession | null>,
): Promise<Viewer> {
  if (!bearer) throw unauthenticated();
  // A service-account key never stands for a user; no signature check is needed to say so.
  if (looksLikeServiceKey(bearer)) throw unauthenticated(INVALID_TOKEN);
  const claims = await services.accessTokens.verify(bearer);
  // One message for every bad token: the client learns nothing about which check failed.
  if (!claims) throw unauthenticated(INVALID_TOKEN);
  const active = await check(claims);
  if (!active) throw unauthenticated(INVALID_TOKEN);
  // A tier change must not outlive the token that carried the old tier: the client refreshes to get the new one.
  if (active.user.tier !== claims.tier) throw unauthenticated('The access token is out of date; refresh it.');
  return { user: active.user, session: active.session, claims };
}
