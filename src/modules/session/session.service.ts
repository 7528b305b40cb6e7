import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { User } from '../user/user.entity.js';
import { hashRefreshToken, newRefreshToken, newRotationSecret, successorOf } from './refresh-token.js';
import { SecurityEventType, type RecordEvent } from './security-events.js';
import { RefreshToken, Session } from './session.entity.js';
import { decideRefresh } from './session.rules.js';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface IssuedRefresh {
  session: Session;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export type RefreshOutcome =
  | ({ kind: 'rotated' | 'grace' } & IssuedRefresh)
  | { kind: 'reused'; session: Session }
  | { kind: 'invalid' };

export interface SessionService {
  /** Persists (without flushing) a new session and its first refresh token. */
  start(em: EntityManager, user: User, client: ClientInfo): IssuedRefresh;
  /** The session with its user while it is alive (not revoked, not past its absolute or idle expiry). */
  findActive(em: EntityManager, sessionId: string, userId: string): Promise<Session | null>;
  listActive(em: EntityManager, userId: string): Promise<Session[]>;
  /** Exchanges a refresh token; atomic under concurrent calls with the same token. */
  refresh(em: EntityManager, presented: string, client: ClientInfo): Promise<RefreshOutcome>;
  /** Ends sessions of one user; returns how many were alive. */
  revoke(em: EntityManager, where: { userId: string; sessionId?: string }, reason: string): Promise<number>;
}

const MAX_CHAIN_WALK = 16;

export function createSessionService(options: {
  clock: Clock;
  ttlSeconds: number;
  idleTimeoutSeconds: number;
  refreshGraceSeconds: number;
  recordEvent: RecordEvent;
}): SessionService {
  const { clock, ttlSeconds, idleTimeoutSeconds, refreshGraceSeconds, recordEvent } = options;
  const idleCutoff = (now: Date) => new Date(now.getTime() - idleTimeoutSeconds * 1000);
  // A refresh token dies at the idle timeout, but never outlives its session.
  const tokenExpiry = (session: Session, now: Date) =>
    new Date(Math.min(session.expiresAt.getTime(), now.getTime() + idleTimeoutSeconds * 1000));
  const aliveWhere = (now: Date) => ({ revokedAt: null, expiresAt: { $gt: now }, lastUsedAt: { $gt: idleCutoff(now) } });

  return {
    start(em, user, client) {
      const now = clock();
      const session = em.create(Session, {
        user,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        rotationSecret: newRotationSecret(),
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip,
      });
      const refreshToken = newRefreshToken();
      const expiresAt = tokenExpiry(session, now);
      em.create(RefreshToken, { session, tokenHash: hashRefreshToken(refreshToken), createdAt: now, expiresAt });
      return { session, refreshToken, refreshTokenExpiresAt: expiresAt };
    },

    findActive(em, sessionId, userId) {
      return em.findOne(Session, { id: sessionId, user: userId, ...aliveWhere(clock()) }, { populate: ['user'] });
    },

    listActive(em, userId) {
      return em.find(Session, { user: userId, ...aliveWhere(clock()) }, { orderBy: { lastUsedAt: 'desc', id: 'asc' } });
    },

    async refresh(em, presented, client) {
      const now = clock();
      const found = await em.findOne(
        RefreshToken,
        { tokenHash: hashRefreshToken(presented) },
        { populate: ['session', 'session.user', 'session.rotationSecret'] },
      );
      if (!found) return { kind: 'invalid' };
      const { session } = found;
      const alive = await em.count(Session, { id: session.id, ...aliveWhere(now) });
      if (!alive) return { kind: 'invalid' };

      let decision = decideRefresh(found, now, refreshGraceSeconds);
      if (decision === 'expired') return { kind: 'invalid' };
      if (decision === 'rotate') {
        const successor = successorOf(session.rotationSecret, presented);
        const expiresAt = tokenExpiry(session, now);
        const won = await em.transactional(async (tx) => {
          // The row lock makes concurrent refreshes of one token queue here; exactly one sees rotated_at null.
          const claimed = await tx.nativeUpdate(RefreshToken, { id: found.id, rotatedAt: null }, { rotatedAt: now });
          if (claimed !== 1) return false;
          tx.create(RefreshToken, {
            session: tx.getReference(Session, session.id),
            tokenHash: hashRefreshToken(successor),
            createdAt: now,
            expiresAt,
          });
          await tx.nativeUpdate(Session, { id: session.id }, { lastUsedAt: now });
          recordEvent(tx, { user: session.user.id, type: SecurityEventType.TOKEN_REFRESHED, sessionId: session.id, client });
          return true;
        });
        if (won) return { kind: 'rotated', session, refreshToken: successor, refreshTokenExpiresAt: expiresAt };
        // Lost the race: the winner has committed, so this is a duplicate within moments of the rotation.
        decision = refreshGraceSeconds > 0 ? 'grace' : 'reuse';
      }

      if (decision === 'grace') {
        const current = await currentOfChain(em, session, presented);
        if (current) return { kind: 'grace', session, ...current };
        decision = 'reuse';
      }

      await em.transactional(async (tx) => {
        await tx.nativeUpdate(Session, { id: session.id, revokedAt: null }, { revokedAt: now, revokedReason: 'refresh_token_reused' });
        recordEvent(tx, { user: session.user.id, type: SecurityEventType.REFRESH_TOKEN_REUSED, sessionId: session.id, client });
      });
      return { kind: 'reused', session };
    },

    async revoke(em, { userId, sessionId }, reason) {
      const now = clock();
      const where = { user: userId, ...(sessionId ? { id: sessionId } : {}), ...aliveWhere(now) };
      return em.nativeUpdate(Session, where, { revokedAt: now, revokedReason: reason });
    },
  };

  /** Follows the derived successors from `presented` to the chain's live token, if the chain is intact. */
  async function currentOfChain(em: EntityManager, session: Session, presented: string) {
    let token = presented;
    for (let step = 0; step < MAX_CHAIN_WALK; step++) {
      token = successorOf(session.rotationSecret, token);
      const row = await em.findOne(
        RefreshToken,
        { tokenHash: hashRefreshToken(token), session: session.id },
        { refresh: true, fields: ['rotatedAt', 'expiresAt'] },
      );
      if (!row) return null;
      if (!row.rotatedAt) return row.expiresAt > clock() ? { refreshToken: token, refreshTokenExpiresAt: row.expiresAt } : null;
    }
    return null;
  }
}
