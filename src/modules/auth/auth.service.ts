import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { BackgroundTasks } from '../../background.js';
import { conflict, invalidCredentials, unauthenticated } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { rateLimitKeyForIp, type ClientInfo } from '../request/client-info.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import type { IssuedRefresh, SessionService } from '../session/session.service.js';
import type { AccessTokenService } from '../token/access-token.service.js';
import { Tier } from '../user/tier.js';
import { userStore } from '../user/user.store.js';
import type { UserView } from '../user/user.view.js';
import type { AuthPayload, LoginInput, RegisterInput } from './auth.types.js';
import { canonicalEmail, canonicalUsername, checkRegistration, looksLikeEmail } from './credentials.rules.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password.hasher.js';

export interface AuthRequest {
  em: EntityManager;
  log: Logger;
  client: ClientInfo;
}

export interface AuthService {
  register(req: AuthRequest, input: RegisterInput): Promise<AuthPayload>;
  login(req: AuthRequest, input: LoginInput): Promise<AuthPayload>;
  /** Rotates a refresh token; UNAUTHENTICATED for unknown, expired, ended or replayed tokens. */
  refresh(req: AuthRequest, presented: string): Promise<AuthPayload>;
  /** Opens a session for a user another way has already authenticated (Google, GitHub). */
  signIn(em: EntityManager, user: UserView, client: ClientInfo, event: SecurityEventType): Promise<AuthPayload>;
}

const INVALID_REFRESH = 'The refresh token is invalid or has expired.';

const uniqueFields: Record<string, string> = {
  app_user_email_unique: 'email',
  app_user_username_unique: 'username',
};

export function createAuthService(deps: {
  hasher: PasswordHasher;
  isCommonPassword: (password: string) => boolean;
  sessions: SessionService;
  accessTokens: AccessTokenService;
  events: SecurityEvents;
  background: BackgroundTasks;
  throttle: LoginThrottle;
  clock: Clock;
}): AuthService {
  const { hasher, isCommonPassword, sessions, accessTokens, events, background, throttle, clock } = deps;

  async function payload(issued: IssuedRefresh): Promise<AuthPayload> {
    const { user } = issued.session;
    const access = await accessTokens.issue({ userId: user.id, sessionId: issued.session.id, tier: user.tier });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
      user,
    };
  }

  return {
    async register({ em, log, client }, input) {
      let fields: ReturnType<typeof checkRegistration>;
      try {
        fields = checkRegistration(input, isCommonPassword);
      } catch (error) {
        log.info({ event: 'register', outcome: 'rejected', field: fieldOf(error) }, 'register rejected');
        throw error;
      }
      const passwordHash = await hasher.hash(fields.password);
      const newUser = { email: fields.email, username: fields.username, passwordHash, tier: Tier.FREE, createdAt: clock() };
      try {
        // The user, its session, refresh token and event are written in one transaction: all or none.
        const opened = await em.transactional(async (tx) => {
          const user = await userStore.insert(tx, newUser);
          return sessions.open(tx, { user, client, event: SecurityEventType.REGISTERED });
        });
        const result = await payload(opened);
        log.info({ event: 'register', outcome: 'success', userId: opened.session.user.id }, 'registered');
        return result;
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) {
          const field = uniqueFields[constraintOf(error)] ?? 'email';
          log.info({ event: 'register', outcome: 'conflict', field }, 'register conflict');
          throw conflict(field, `That ${field} is already registered.`);
        }
        throw error;
      }
    },

    async login({ em, log, client }, input) {
      const identifier = input.identifier;
      const byEmail = looksLikeEmail(identifier);
      const key = (byEmail ? canonicalEmail(identifier) : canonicalUsername(identifier)).slice(0, 256);
      const ipKey = rateLimitKeyForIp(client.ip ?? '');
      // Refused before any lookup or hashing, and alike whether or not the account exists.
      await throttle.check(key, ipKey);
      const found =
        identifier.length <= 254 ? await userStore.findWithPassword(em, byEmail ? { email: key } : { username: key }) : null;
      if (!found) {
        // Same work as a wrong password, so response time does not reveal which accounts exist.
        await hasher.verifyDummy(input.password);
        await throttle.recordFailure(key, ipKey);
        log.info({ event: 'login', outcome: 'unknown_account', by: byEmail ? 'email' : 'username' }, 'login failed');
        throw invalidCredentials();
      }
      // An account made through Google or GitHub has no password: it fails like a wrong one, after the same work.
      const { user, passwordHash } = found;
      let matches = false;
      if (passwordHash === null) await hasher.verifyDummy(input.password);
      else matches = await hasher.verify(passwordHash, input.password);
      if (!matches) {
        await throttle.recordFailure(key, ipKey);
        log.info({ event: 'login', outcome: 'wrong_password', userId: user.id }, 'login failed');
        // Recorded off the request path, so a wrong password answers as fast as an unknown account.
        const userId = user.id;
        background.run('record LOGIN_FAILED', () =>
          events.record(em.fork(), { userId, type: SecurityEventType.LOGIN_FAILED, client }),
        );
        throw invalidCredentials();
      }
      const rehashedPassword = hasher.needsRehash(passwordHash as string) ? await hasher.hash(input.password) : null;
      if (rehashedPassword)
        log.info({ event: 'password_rehashed', userId: user.id }, 'password rehashed with current parameters');
      const at = clock();
      // The sign-in time, any rehash, its event and the new session commit together or not at all.
      const opened = await em.transactional(async (tx) => {
        await userStore.recordLogin(tx, { userId: user.id, at, rehashedPassword });
        if (rehashedPassword) await events.record(tx, { userId: user.id, type: SecurityEventType.PASSWORD_REHASHED, client });
        return sessions.open(tx, { user: { ...user, lastLoginAt: at }, client, event: SecurityEventType.LOGIN_SUCCEEDED });
      });
      const result = await payload(opened);
      await throttle.recordSuccess(key, ipKey);
      log.info({ event: 'login', outcome: 'success', userId: user.id }, 'logged in');
      return result;
    },

    async signIn(em, user, client, event) {
      return payload(await sessions.open(em, { user, client, event }));
    },

    async refresh({ em, log, client }, presented) {
      const outcome = await sessions.refresh(em, presented, client);
      switch (outcome.kind) {
        case 'rotated':
        case 'grace':
          log.info({ event: 'refresh', outcome: outcome.kind, sessionId: outcome.session.id }, 'refreshed');
          return payload(outcome);
        case 'reused':
          log.warn(
            { event: 'refresh', outcome: 'reused', sessionId: outcome.session.id },
            'refresh token reused: session revoked',
          );
          throw unauthenticated(INVALID_REFRESH);
        case 'invalid':
          log.info({ event: 'refresh', outcome: 'invalid' }, 'refresh refused');
          throw unauthenticated(INVALID_REFRESH);
      }
    },
  };
}

function constraintOf(error: UniqueConstraintViolationException): string {
  const cause = error as unknown as { constraint?: string; message: string };
  return cause.constraint ?? /"([a-z_]+_unique)"/.exec(cause.message)?.[1] ?? '';
}

function fieldOf(error: unknown): unknown {
  return (error as { extensions?: { field?: unknown } }).extensions?.field;
}
