import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { pgDate, type PgTime } from '../../db/raw-sql.js';
import type { Tier } from '../user/tier.js';
import { hashRefreshToken, newRefreshToken, newRotationSecret, successorOf } from './refresh-token.js';
import { SecurityEventType, type RecordEvent } from './security-events.js';
import { Session } from './session.entity.js';
import { decideRefresh } from './session.rules.js';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** The account fields requests need, read straight from the row (no entity is hydrated on the hot path). */
export interface UserView {
  id: string;
  email: string;
  username: string | null;
  tier: Tier;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface ActiveSession {
  session: { id: string };
  user: UserView;
}

export interface IssuedRefresh {
  session: { id: string; user: UserView };
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export type RefreshOutcome =
  | ({ kind: 'rotated' | 'grace' } & IssuedRefresh)
  | { kind: 'reused'; session: { id: string; user: UserView } }
  | { kind: 'invalid' };

export interface OpenSession {
  user: UserView;
  client: ClientInfo;
  /** The security event that opened it (REGISTERED or LOGIN_SUCCEEDED). */
  event: SecurityEventType;
  /** On login: when, and the new hash when the stored one used old parameters. */
  login?: { at: Date; rehashedPassword: string | null };
}

export interface SessionService {
  /**
   * Writes a new session, its first refresh token, its security event and (on login) the user's
   * lastLoginAt and any rehash, in one statement; inside `em`'s transaction when it has one.
   */
  open(em: EntityManager, request: OpenSession): Promise<IssuedRefresh>;
  /** The session and its user while it is alive (not revoked, not past its absolute or idle expiry). */
  findActive(em: EntityManager, sessionId: string, userId: string): Promise<ActiveSession | null>;
  listActive(em: EntityManager, userId: string): Promise<Session[]>;
  /** Exchanges a refresh token; atomic under concurrent calls with the same token. */
  refresh(em: EntityManager, presented: string, client: ClientInfo): Promise<RefreshOutcome>;
  /** Ends sessions of one user; returns how many were alive. */
  revoke(em: EntityManager, where: { userId: string; sessionId?: string }, reason: string): Promise<number>;
}

const MAX_CHAIN_WALK = 16;

// Hand-written SQL on the two paths every client hits most (each authenticated request, each refresh):
// building these through the ORM cost several times the database round trip itself in CPU.
const USER_COLUMNS = `u.id, u.email, u.username, u.tier, u.created_at, u.last_login_at`;

const OPEN = `
  with opened as (
    insert into session (id, user_id, created_at, last_used_at, expires_at, rotation_secret, user_agent, ip)
    values (?, ?, ?, ?, ?, ?, ?, ?) returning id, user_id
  ), first_token as (
    insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
    select ?, id, ?, ?, ? from opened returning id
  ), opening_event as (
    insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
    select ?, user_id, id, ?, ?, ?, ? from opened returning id
  ), rehash_event as (
    insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
    select ?, user_id, null, '${SecurityEventType.PASSWORD_REHASHED}', ?, ?, ? from opened where ?::text is not null returning id
  ), signed_in as (
    update app_user set last_login_at = coalesce(?::timestamptz, last_login_at), password_hash = coalesce(?::text, password_hash)
    where id = (select user_id from opened) and ?::boolean returning id
  )
  select id from opened`;

const FIND_ACTIVE = `
  select s.id as session_id, ${USER_COLUMNS}
  from session s join app_user u on u.id = s.user_id
  where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > ? and s.last_used_at > ?`;

const FIND_PRESENTED = `
  select rt.id as token_id, rt.rotated_at, rt.expires_at as token_expires_at,
         s.id as session_id, s.rotation_secret, s.expires_at as session_expires_at,
         (s.revoked_at is null and s.expires_at > ? and s.last_used_at > ?) as alive, ${USER_COLUMNS}
  from refresh_token rt join session s on s.id = rt.session_id join app_user u on u.id = s.user_id
  where rt.token_hash = ?`;

/**
 * One statement, so one round trip and atomic. The UPDATE's row lock makes concurrent rotations of
 * one token queue; each re-checks `rotated_at is null` after the winner commits, so exactly one
 * claims it and inserts the successor.
 */
const ROTATE = `
  with claimed as (
    update refresh_token set rotated_at = ? where id = ? and rotated_at is null returning session_id
  ), successor as (
    insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
    select ?, session_id, ?, ?, ? from claimed returning session_id
  ), touched as (
    update session set last_used_at = ? where id in (select session_id from claimed) returning id
  ), event as (
    insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
    select ?, ?, session_id, '${SecurityEventType.TOKEN_REFRESHED}', ?, ?, ? from claimed returning id
  )
  select count(*)::int as claimed from claimed`;

interface UserRow {
  id: string;
  email: string;
  username: string | null;
  tier: Tier;
  created_at: PgTime;
  last_login_at: PgTime | null;
}

/** The view of a loaded User entity, leaving the password hash and ORM state behind. */
export const userViewOf = (user: UserView): UserView => ({
  id: user.id,
  email: user.email,
  username: user.username,
  tier: user.tier,
  createdAt: user.createdAt,
  lastLoginAt: user.lastLoginAt,
});

const userView = (row: UserRow): UserView => ({
  id: row.id,
  email: row.email,
  username: row.username,
  tier: row.tier,
  createdAt: pgDate(row.created_at),
  lastLoginAt: pgDate(row.last_login_at),
});

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
  const tokenExpiry = (sessionExpiresAt: Date, now: Date) =>
    new Date(Math.min(sessionExpiresAt.getTime(), now.getTime() + idleTimeoutSeconds * 1000));
  const aliveWhere = (now: Date) => ({ revokedAt: null, expiresAt: { $gt: now }, lastUsedAt: { $gt: idleCutoff(now) } });

  return {
    async open(em, { user, client, event, login }) {
      const now = clock();
      const sessionId = randomUUID();
      const sessionExpiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      const refreshToken = newRefreshToken();
      const expiresAt = tokenExpiry(sessionExpiresAt, now);
      const userAgent = client.userAgent?.slice(0, 512) ?? null;
      const rehashed = login?.rehashedPassword ?? null;
      await em
        .getConnection()
        .execute(
          OPEN,
          [
            sessionId,
            user.id,
            now,
            now,
            sessionExpiresAt,
            newRotationSecret(),
            userAgent,
            client.ip,
            randomUUID(),
            hashRefreshToken(refreshToken),
            now,
            expiresAt,
            randomUUID(),
            event,
            now,
            client.ip,
            userAgent,
            randomUUID(),
            now,
            client.ip,
            userAgent,
            rehashed,
            login?.at ?? null,
            rehashed,
            login !== undefined,
          ],
          'all',
          em.getTransactionContext(),
        );
      return { session: { id: sessionId, user }, refreshToken, refreshTokenExpiresAt: expiresAt };
    },

    async findActive(em, sessionId, userId) {
      const now = clock();
      const [row] = await em
        .getConnection()
        .execute<(UserRow & { session_id: string })[]>(FIND_ACTIVE, [sessionId, userId, now, idleCutoff(now)]);
      return row ? { session: { id: row.session_id }, user: userView(row) } : null;
    },

    listActive(em, userId) {
      return em.find(Session, { user: userId, ...aliveWhere(clock()) }, { orderBy: { lastUsedAt: 'desc', id: 'asc' } });
    },

    async refresh(em, presented, client) {
      const now = clock();
      const connection = em.getConnection();
      const [found] = await connection.execute<
        (UserRow & {
          token_id: string;
          rotated_at: PgTime | null;
          token_expires_at: PgTime;
          session_id: string;
          rotation_secret: string;
          session_expires_at: PgTime;
          alive: boolean;
        })[]
      >(FIND_PRESENTED, [now, idleCutoff(now), hashRefreshToken(presented)]);
      if (!found?.alive) return { kind: 'invalid' };
      const session = { id: found.session_id, user: userView(found) };

      const presentedState = { rotatedAt: pgDate(found.rotated_at), expiresAt: pgDate(found.token_expires_at) };
      let decision = decideRefresh(presentedState, now, refreshGraceSeconds);
      if (decision === 'expired') return { kind: 'invalid' };
      if (decision === 'rotate') {
        const successor = successorOf(found.rotation_secret, presented);
        const expiresAt = tokenExpiry(pgDate(found.session_expires_at), now);
        const [result] = await connection.execute<{ claimed: number }[]>(ROTATE, [
          now,
          found.token_id,
          randomUUID(),
          hashRefreshToken(successor),
          now,
          expiresAt,
          now,
          randomUUID(),
          found.id,
          now,
          client.ip,
          client.userAgent?.slice(0, 512) ?? null,
        ]);
        if (result?.claimed === 1) return { kind: 'rotated', session, refreshToken: successor, refreshTokenExpiresAt: expiresAt };
        // Lost the race: the winner has committed, so this is a duplicate within moments of the rotation.
        decision = refreshGraceSeconds > 0 ? 'grace' : 'reuse';
      }

      if (decision === 'grace') {
        const current = await currentOfChain(em, found.session_id, found.rotation_secret, presented);
        if (current) return { kind: 'grace', session, ...current };
        decision = 'reuse';
      }

      await em.transactional(async (tx) => {
        await tx.nativeUpdate(
          Session,
          { id: session.id, revokedAt: null },
          { revokedAt: now, revokedReason: 'refresh_token_reused' },
        );
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
  async function currentOfChain(em: EntityManager, sessionId: string, secret: string, presented: string) {
    let token = presented;
    for (let step = 0; step < MAX_CHAIN_WALK; step++) {
      token = successorOf(secret, token);
      const [row] = await em
        .getConnection()
        .execute<{ rotated_at: PgTime | null; expires_at: PgTime }[]>(
          'select rotated_at, expires_at from refresh_token where token_hash = ? and session_id = ?',
          [hashRefreshToken(token), sessionId],
        );
      if (!row) return null;
      const expiresAt = pgDate(row.expires_at);
      if (!row.rotated_at) return expiresAt > clock() ? { refreshToken: token, refreshTokenExpiresAt: expiresAt } : null;
    }
    return null;
  }
}
