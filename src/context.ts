import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, unauthenticated } from './errors.js';
import { RequestRateLimits } from './modules/rate-limit/rate-limit.state.js';
import { addressCaller, type Caller } from './modules/rate-limit/rate-limit.store.js';
import type { RequestContext, Services, Viewer } from './modules/request/request-context.js';
import { looksLikeServiceKey } from './modules/service-account/service-account.key.js';
import { Tier } from './modules/user/tier.js';

/** What the HTTP and WebSocket layers know about a request before it has a context. */
export type RequestInput = Pick<RequestContext, 'requestId' | 'log' | 'client' | 'services' | 'refreshCookie'> & {
  bearer: string | null;
  /** A new EntityManager; called once, on the request's first use of `em`. */
  fork(): EntityManager;
  /**
   * For the viewer's and the service account's checks: plain SQL reads outside any transaction, which need
   * no unit of work of their own. The root EntityManager: MikroORM refuses it any entity work
   * (allowGlobalContext is off), so a store that began to load entities here would fail loudly rather than
   * share an identity map between requests.
   */
  reader: EntityManager;
};

const LAZY = Symbol('lazy EntityManager');
interface LazyEm {
  fork: () => EntityManager;
  em?: EntityManager;
}

/**
 * `em` is forked on first use, not for every request: most requests run only prepared SQL (see
 * db/sql.ts), and a fork builds a unit of work, an identity map and copies of the filters. It is a getter
 * on the prototype over state held by reference, because Apollo hands resolvers a shallow copy of the
 * context (Object.assign, which copies an own getter's value and so would fork right away).
 */
const lazyEmPrototype = Object.create(Object.prototype, {
  em: {
    get(this: { [LAZY]: LazyEm }) {
      const lazy = this[LAZY];
      lazy.em ??= lazy.fork();
      return lazy.em;
    },
    enumerable: false,
  },
}) as object;

export function createRequestContext(input: RequestInput): RequestContext {
  const { services, bearer, reader } = input;
  let viewer: Promise<Viewer> | undefined;
  let caller: Promise<Caller> | undefined;
  let serviceAccount: Promise<{ id: string } | null> | undefined;
  const fields: Omit<RequestContext, 'em'> & { [LAZY]: LazyEm } = {
    [LAZY]: { fork: input.fork },
    requestId: input.requestId,
    log: input.log,
    client: input.client,
    services,
    refreshCookie: input.refreshCookie,
    rateLimits: new RequestRateLimits(),
    viewer: () => (viewer ??= resolveViewer(services, reader, bearer)),
    freshViewer: () => resolveViewer(services, reader, bearer),
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
      (caller ??= Promise.all([context.viewerOrNull(), context.serviceAccount()]).then(([v, service]) => {
        // Workers are trusted callers: they get the ADMIN budgets, counted per service account.
        if (v) return { tier: v.user.tier, key: `user:${v.user.id}` };
        if (service) return { tier: Tier.ADMIN, key: `service:${service.id}` };
        return addressCaller(input.client.ip);
      })),
  };
  const context = Object.assign(Object.create(lazyEmPrototype) as RequestContext, fields);
  return context;
}

const INVALID_TOKEN = 'The access token is invalid or has expired.';

async function resolveViewer(services: Services, em: EntityManager, bearer: string | null): Promise<Viewer> {
  if (!bearer) throw unauthenticated();
  // A service-account key never stands for a user; no signature check is needed to say so.
  if (looksLikeServiceKey(bearer)) throw unauthenticated(INVALID_TOKEN);
  const claims = await services.accessTokens.verify(bearer);
  // One message for every bad token: the client learns nothing about which check failed.
  if (!claims) throw unauthenticated(INVALID_TOKEN);
  const active = await services.sessions.findActive(em, claims.sid, claims.sub);
  if (!active) throw unauthenticated(INVALID_TOKEN);
  // A tier change must not outlive the token that carried the old tier: the client refreshes to get the new one.
  if (active.user.tier !== claims.tier) throw unauthenticated('The access token is out of date; refresh it.');
  return { user: active.user, session: active.session, claims };
}
