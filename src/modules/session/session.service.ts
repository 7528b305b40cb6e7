import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { User } from '../user/user.entity.js';
import { hashRefreshToken, newRefreshToken } from './refresh-token.js';
import { RefreshToken, Session } from './session.entity.js';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface StartedSession {
  session: Session;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface SessionService {
  /** Persists (without flushing) a new session and its first refresh token. */
  start(em: EntityManager, user: User, client: ClientInfo): StartedSession;
  /** The session with its user when it is neither revoked nor past its absolute expiry. */
  findActive(em: EntityManager, sessionId: string, userId: string): Promise<Session | null>;
}

export function createSessionService(options: {
  clock: Clock;
  ttlSeconds: number;
  idleTimeoutSeconds: number;
}): SessionService {
  const { clock, ttlSeconds, idleTimeoutSeconds } = options;
  return {
    start(em, user, client) {
      const now = clock();
      const session = em.create(Session, {
        user,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip,
      });
      const refreshToken = newRefreshToken();
      // A refresh token dies at the idle timeout, but never outlives its session.
      const expiresAt = new Date(Math.min(session.expiresAt.getTime(), now.getTime() + idleTimeoutSeconds * 1000));
      em.create(RefreshToken, { session, tokenHash: hashRefreshToken(refreshToken), createdAt: now, expiresAt });
      return { session, refreshToken, refreshTokenExpiresAt: expiresAt };
    },

    findActive(em, sessionId, userId) {
      return em.findOne(
        Session,
        { id: sessionId, user: userId, revokedAt: null, expiresAt: { $gt: clock() } },
        { populate: ['user'] },
      );
    },
  };
}
