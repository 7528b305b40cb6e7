import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { AccountService } from '../account/account.service.js';
import type { AdminService } from '../admin/admin.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { OAuthService } from '../oauth/oauth.service.js';
import type { ProgressService } from '../progress/progress.service.js';
import type { RequestRateLimits } from '../rate-limit/rate-limit.state.js';
import type { Caller, RateLimitStore } from '../rate-limit/rate-limit.store.js';
import type { ChangeBus } from '../realtime/change-bus.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import type { ServiceAccountCaller, ServiceAccounts } from '../service-account/service-account.service.js';
import type { AlongRead, SessionService } from '../session/session.service.js';
import type { AccessClaims } from '../token/access-token.claims.js';
import type { AccessTokenService } from '../token/access-token.service.js';
import type { UserView } from '../user/user.view.js';
import type { ClientInfo } from './client-info.js';

/**
 * What resolvers are handed, over HTTP and WebSocket alike. Declared here, beside the features that
 * use it, so that no feature depends on the HTTP or GraphQL plumbing; src/context.ts builds it.
 */

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
  accounts: AccountService;
  audit: AuditLog;
}

export interface Viewer {
  user: UserView;
  session: { id: string };
  claims: AccessClaims;
}

export interface RequestContext {
  requestId: string;
  log: Logger;
  /** This request's own EntityManager, forked on first use: for services that load or persist entities. */
  em: EntityManager;
  /**
   * For services whose every statement is SQL (db/sql.ts) or runs in transaction(), which forks its own: the
   * root EntityManager, so the request builds no unit of work it never uses. MikroORM refuses it entity work
   * (allowGlobalContext is off), so a store that began to load entities here fails loudly.
   */
  sql: EntityManager;
  client: ClientInfo & { ip: string };
  services: Services;
  refreshCookie: RefreshCookie;
  /** The caller, or UNAUTHENTICATED. Resolved once per request, on first use. */
  viewer(): Promise<Viewer>;
  /**
   * The caller, and a read a field needs, together: when the caller is not resolved yet, `read.together`
   * checks the session and reads in one statement; when it is, `read.alone` reads after it. Once per
   * request and `key`, so a field's rule and its resolver share one round trip.
   */
  viewerAlong<T>(key: string, read: AlongRead<T>): Promise<{ viewer: Viewer; along: T }>;
  /** The caller, or null when there is no valid token. */
  viewerOrNull(): Promise<Viewer | null>;
  /**
   * The caller checked again now (token, session, tier), not remembered: for operations that outlive a
   * request, such as a subscription pushing events, so a logout or a tier change stops them.
   */
  freshViewer(): Promise<Viewer>;
  /**
   * The worker whose API key is the bearer token, while the key is not revoked; else null. May come from
   * this process's memory of the key (see ServiceAccounts.authenticate): a write on its behalf checks the
   * key again in its own statement.
   */
  serviceAccount(): Promise<ServiceAccountCaller | null>;
  /** Who rate limits count against: the user when signed in, else the client's address. */
  caller(): Promise<Caller>;
  /** What the rate limits did in this request (written only by the rate-limit directive). */
  rateLimits: RequestRateLimits;
}

/** The refresh token's cookie in cookie mode; over a WebSocket there is none. */
export interface RefreshCookie {
  /** The client asked for the refresh token in a cookie instead of the response body. */
  requested: boolean;
  /** The cookie's token; FORBIDDEN when a cross-origin caller tries to ride on it. */
  read(): string | null;
  set(token: string, expiresAt: Date, now: Date): void;
  clear(): void;
  present: boolean;
}
