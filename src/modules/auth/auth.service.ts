import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { conflict, invalidCredentials } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ClientInfo, SessionService } from '../session/session.service.js';
import type { AccessTokenService } from '../token/access-token.service.js';
import { Tier } from '../user/tier.js';
import { User } from '../user/user.entity.js';
import type { AuthPayload, LoginInput, RegisterInput } from './auth.types.js';
import { canonicalEmail, canonicalUsername, checkRegistration, looksLikeEmail } from './credentials.rules.js';
import type { PasswordHasher } from './password.hasher.js';

export interface AuthRequest {
  em: EntityManager;
  log: Logger;
  client: ClientInfo;
}

export interface AuthService {
  register(req: AuthRequest, input: RegisterInput): Promise<AuthPayload>;
  login(req: AuthRequest, input: LoginInput): Promise<AuthPayload>;
}

const uniqueFields: Record<string, string> = {
  app_user_email_unique: 'email',
  app_user_username_unique: 'username',
};

export function createAuthService(deps: {
  hasher: PasswordHasher;
  isCommonPassword: (password: string) => boolean;
  sessions: SessionService;
  accessTokens: AccessTokenService;
  clock: Clock;
}): AuthService {
  const { hasher, isCommonPassword, sessions, accessTokens, clock } = deps;

  async function issue(em: EntityManager, user: User, client: ClientInfo): Promise<AuthPayload> {
    const started = sessions.start(em, user, client);
    await em.flush();
    const access = await accessTokens.issue({ userId: user.id, sessionId: started.session.id, tier: user.tier });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: started.refreshToken,
      refreshTokenExpiresAt: started.refreshTokenExpiresAt,
      user,
    };
  }

  return {
    async register({ em, log, client }, input) {
      let fields;
      try {
        fields = checkRegistration(input, isCommonPassword);
      } catch (error) {
        log.info({ event: 'register', outcome: 'rejected', field: fieldOf(error) }, 'register rejected');
        throw error;
      }
      const passwordHash = await hasher.hash(fields.password);
      const user = em.create(User, {
        email: fields.email,
        username: fields.username,
        passwordHash,
        tier: Tier.FREE,
        createdAt: clock(),
      });
      try {
        // The user, its session and refresh token are written in one transaction: all or none.
        const payload = await issue(em, user, client);
        log.info({ event: 'register', outcome: 'success', userId: user.id }, 'registered');
        return payload;
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
      const where = byEmail ? { email: canonicalEmail(identifier) } : { username: canonicalUsername(identifier) };
      const user = identifier.length <= 254 ? await em.findOne(User, where, { populate: ['passwordHash'] }) : null;
      if (!user) {
        // Same work as a wrong password, so response time does not reveal which accounts exist.
        await hasher.verifyDummy(input.password);
        log.info({ event: 'login', outcome: 'unknown_account', by: byEmail ? 'email' : 'username' }, 'login failed');
        throw invalidCredentials();
      }
      if (!(await hasher.verify(user.passwordHash, input.password))) {
        log.info({ event: 'login', outcome: 'wrong_password', userId: user.id }, 'login failed');
        throw invalidCredentials();
      }
      if (hasher.needsRehash(user.passwordHash)) {
        user.passwordHash = await hasher.hash(input.password);
        log.info({ event: 'password_rehashed', userId: user.id }, 'password rehashed with current parameters');
      }
      user.lastLoginAt = clock();
      const payload = await issue(em, user, client);
      log.info({ event: 'login', outcome: 'success', userId: user.id }, 'logged in');
      return payload;
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
