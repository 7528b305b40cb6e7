import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.js';
import { AppError, unauthenticated } from './errors.js';
import type { RefreshCookie } from './http/refresh-cookie.js';
import type { Logger } from './logger.js';
import type { AdminService } from './modules/admin/admin.service.js';
import type { AuthService } from './modules/auth/auth.service.js';
import type { OAuthService } from './modules/oauth/oauth.service.js';
import type { ProgressService } from './modules/progress/progress.service.js';
import type { Budget, Caller, RateLimitStore } from './modules/rate-limit/rate-limit.store.js';
import type { ChangeBus } from './modules/realtime/change-bus.js';
import { rateLimitKeyForIp, type ClientInfo } from './modules/request/client-info.js';
import type { SecurityEvents } from './modules/security-event/security-event.service.js';
import type { ServiceAccounts } from './modules/service-account/service-account.service.js';
import { looksLikeServiceKey } from './modules/service-account/service-account.key.js';
import type { SessionService } from './modules/session/session.service.js';
import type { AccessClaims } from './modules/token/access-token.claims.js';
import type { AccessTokenService } from './modules/token/access-token.service.js';
import { Tier } from './modules/user/tier.js';
import type { UserView } from './modules/user/user.view.js';

/** The services built once by the composition root and handed to every request. */
export interface Services {
  clock: Clock;
  auth: AuthService;
  sessions: SessionService;
  accessTokens: AccessTokenService;
  securityEvents: SecurityEvents;
  rateLimits: RateLimitStore;
  progress: ProgressService;
  bus: ChangeBus;
  oauth: OAuthService;
  serviceAccounts: ServiceAccounts;
  admin: AdminService;
}

export interface Viewer {
  user: UserView;
  session: { id: string };
  claims: AccessClaims;
}

export interface RequestContext {
  requestId: string;
  log: Logger;
  em: EntityManager;
  client: ClientInfo & { ip: string };
  services: Services;
  refreshCookie: RefreshCookie;
  /** The caller, or UNAUTHENTICATED. Resolved once per request, on first use. */
  viewer(): Promise<Viewer>;
  /** The caller, or null when there is no valid token. */
  viewerOrNull(): Promise<Viewer | null>;
  /** The worker whose API key is the bearer token, while the key is not revoked; else null. */
  serviceAccount(): Promise<{ id: string } | null>;
  /** Who rate limits count against: the user when signed in, else the client's address. */
  caller(): Promise<Caller>;
  /**
   * What the rate limiter saw in this request, for the X-RateLimit-* headers and the 429 decision.
   * Nested because Apollo hands resolvers a shallow copy of the context: top-level writes would be lost.
   */
  rateLimits: { caller?: Caller; tightest?: Budget; refused: number[] };
}

export function createRequestContext(input: {
  requestId: string;
  log: Logger;
  em: EntityManager;
  client: ClientInfo & { ip: string };
  services: Services;
  refreshCookie: RefreshCookie;
  bearer: string | null;
}): RequestContext {
  const { services, em, bearer } = input;
  let viewer: Promise<Viewer> | undefined;
  let caller: Promise<Caller> | undefined;
  let serviceAccount: Promise<{ id: string } | null> | undefined;
  const context: RequestContext = {
    requestId: input.requestId,
    log: input.log,
    em,
    client: input.client,
    services,
    refreshCookie: input.refreshCookie,
    rateLimits: { refused: [] },
    viewer: () => (viewer ??= resolveViewer(services, em, bearer)),
    viewerOrNull: () =>
      // No token, or a worker's key: no user, answered without building an error to throw away.
      bearer === null || looksLikeServiceKey(bearer)
        ? Promise.resolve(null)
        : context.viewer().catch((error: unknown) => {
            if (error instanceof AppError) return null;
            throw error;
          }),
    serviceAccount: () => (serviceAccount ??= bearer ? services.serviceAccounts.authenticate(em, bearer) : Promise.resolve(null)),
    caller: () =>
      (caller ??= Promise.all([context.viewerOrNull(), context.serviceAccount()]).then(([v, service]) => {
        // Workers are trusted callers: they get the ADMIN budgets, counted per service account.
        const resolved: Caller = v
          ? { tier: v.user.tier, key: `user:${v.user.id}` }
          : service
            ? { tier: Tier.ADMIN, key: `service:${service.id}` }
            : { tier: Tier.FREE, key: rateLimitKeyForIp(input.client.ip) };
        context.rateLimits.caller = resolved;
        return resolved;
      })),
  };
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
