import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.js';
import type { RefreshCookie } from './http/refresh-cookie.js';
import type { Logger } from './logger.js';
import type { AuthService } from './modules/auth/auth.service.js';
import type { RecordEvent } from './modules/session/security-events.js';
import type { ClientInfo, SessionService } from './modules/session/session.service.js';
import type { AccessClaims } from './modules/token/access-token.claims.js';
import type { AccessTokenService } from './modules/token/access-token.service.js';
import type { Session } from './modules/session/session.entity.js';
import type { User } from './modules/user/user.entity.js';
import { unauthenticated } from './errors.js';

/** The services built once by the composition root and handed to every request. */
export interface Services {
  clock: Clock;
  auth: AuthService;
  sessions: SessionService;
  recordEvent: RecordEvent;
  accessTokens: AccessTokenService;
}

export interface Viewer {
  user: User;
  session: Session;
  claims: AccessClaims;
}

export interface RequestContext {
  requestId: string;
  log: Logger;
  em: EntityManager;
  client: ClientInfo;
  services: Services;
  refreshCookie: RefreshCookie;
  /** The caller, or UNAUTHENTICATED. Resolved once per request, on first use. */
  viewer(): Promise<Viewer>;
}

export function createRequestContext(input: {
  requestId: string;
  log: Logger;
  em: EntityManager;
  client: ClientInfo;
  services: Services;
  refreshCookie: RefreshCookie;
  bearer: string | null;
}): RequestContext {
  const { services, em, bearer } = input;
  let viewer: Promise<Viewer> | undefined;
  return {
    requestId: input.requestId,
    log: input.log,
    em,
    client: input.client,
    services,
    refreshCookie: input.refreshCookie,
    viewer: () => (viewer ??= resolveViewer(services, em, bearer)),
  };
}

async function resolveViewer(services: Services, em: EntityManager, bearer: string | null): Promise<Viewer> {
  if (!bearer) throw unauthenticated();
  const claims = await services.accessTokens.verify(bearer);
  // One message for every bad token: the client learns nothing about which check failed.
  if (!claims) throw unauthenticated('The access token is invalid or has expired.');
  const session = await services.sessions.findActive(em, claims.sid, claims.sub);
  if (!session) throw unauthenticated('The access token is invalid or has expired.');
  return { user: session.user, session, claims };
}
