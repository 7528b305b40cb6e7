import type { EntityManager } from '@mikro-orm/postgresql';
import { inKeyOrder } from '../../db/batched-read.js';
import { firstRow, type ParamsOf, type PgTime, rows, type Statement, statement } from '../../db/sql.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import { userColumns } from '../user/user.store.js';
import type { UserRow } from '../user/user.view.js';
import { Session } from './session.entity.js';

// Hand-written SQL on the paths every client hits most (each authenticated request, each refresh):
// building these through the ORM cost several times the database round trip itself in CPU.

interface OpenValues {
  sessionId: string;
  userId: string;
  now: Date;
  sessionExpiresAt: Date;
  rotationSecret: string;
  userAgent: string | null;
  ip: string | null;
  tokenId: string;
  tokenHash: string;
  tokenExpiresAt: Date;
  eventId: string;
  event: SecurityEventType;
}

/**
 * The account's sessions before a sign-in opened one (its statement cannot see its own insert): for the
 * new-client notice, which needs no query of its own then.
 */
export interface PriorSessions {
  others: number;
  /** Of those, made from the same user agent. */
  sameClient: number;
}

/**
 * A session, its first refresh token and the event that opened it, in one statement; for a sign-in also
 * the user's last sign-in time, so that the two commit together without a transaction's extra round trips.
 * A sign-in opens nothing unless the password hash is still the one its password was checked against: a
 * password changed or reset while argon2 ran must not leave a session made with the old one.
 */
const openSql = (signIn: boolean) => `
  with ${
    signIn
      ? 'signed_in as (update app_user set last_login_at = :now where id = :userId and password_hash = :verifiedHash returning id, credential_generation), '
      : ''
  }opened as (
    insert into session (id, user_id, created_at, last_used_at, expires_at, rotation_secret, user_agent, ip, generation)
    select :sessionId, id, :now, :now, :sessionExpiresAt, :rotationSecret, :userAgent, :ip, credential_generation
    from ${signIn ? 'signed_in' : 'app_user where id = :userId'}
    returning id, user_id, generation
  ), first_token as (
    insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
    select :tokenId, id, :tokenHash, :now, :tokenExpiresAt from opened returning id
  ), opening_event as (
    insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
    select :eventId, user_id, id, :event, :now, :ip, :userAgent from opened returning id
  )
  select id, generation${
    signIn
      ? `,
    (select count(*)::int from session s where s.user_id = :userId) as others,
    (select count(*)::int from session s where s.user_id = :userId and s.user_agent is not distinct from :userAgent) as same_client`
      : ''
  } from opened`;
const OPEN = statement<OpenValues, { id: string; generation: number }>(openSql(false), { prepare: true });
const OPEN_SIGNED_IN = statement<
  OpenValues & { verifiedHash: string },
  { id: string; generation: number; others: number; same_client: number }
>(openSql(true), { prepare: true });

export interface ActiveKey {
  sessionId: string;
  userId: string;
  now: Date;
  idleCutoff: Date;
}
export type ActiveRow = UserRow & { session_id: string };

/**
 * The viewer's session while it is alive, with its user: the check every authenticated request makes.
 * Other modules' statements start with it as `with viewer as (…)` to read what a field needs in the
 * same round trip (see SessionRead).
 */
/**
 * A session opened under an older credential generation is over, whatever its other columns say: the
 * check rides on the join to app_user every session read already makes, so it costs no extra read.
 */
const CURRENT_GENERATION = 's.generation = u.credential_generation';

export const ACTIVE_SESSION_SQL = `
  select s.id as session_id, ${userColumns('u')}
  from session s join app_user u on u.id = s.user_id
  where s.id = :sessionId and s.user_id = :userId and s.revoked_at is null
    and s.expires_at > :now and s.last_used_at > :idleCutoff and ${CURRENT_GENERATION}`;

/**
 * ACTIVE_SESSION_SQL for many keys at once: `keys` is a FROM item aliased `k` with the columns session_id,
 * user_id and ord (its 1-based position); `also` selects more of k's columns. One row per live key.
 */
export const activeSessionsSql = (keys: string, also = '') => `
  select k.ord${also}, s.id as session_id, ${userColumns('u')}
  from ${keys}
  join session s on s.id = k.session_id and s.user_id = k.user_id
  join app_user u on u.id = s.user_id
  where s.revoked_at is null and s.expires_at > :now and s.last_used_at > :idleCutoff and ${CURRENT_GENERATION}`;

/** A many-keys statement's parameters: each key field as an array (`resourceId` → `resourceIds`). */
export type ManyParams<P> = { [K in keyof P & string as `${K}s`]: P[K][] } & {
  sessionIds: string[];
  userIds: string[];
  now: Date;
  idleCutoff: Date;
};

/**
 * A read made by the statement that checks the viewer's session, so the two cost one round trip: `one`
 * for a single key (ACTIVE_SESSION_SQL as its CTE), `many` for the keys of concurrent requests at once
 * (activeSessionsSql; see db/batched-read.ts). No row for a key whose session is not alive.
 */
export interface SessionRead<P extends object, R extends ActiveRow> {
  one: Statement<ActiveKey & P, R>;
  many: Statement<ManyParams<P>, R & { ord: string }>;
}

/** The session check alone. */
export const ACTIVE_SESSION: SessionRead<object, ActiveRow> = {
  one: statement(ACTIVE_SESSION_SQL),
  many: statement(
    activeSessionsSql('unnest(:sessionIds::uuid[], :userIds::uuid[]) with ordinality as k(session_id, user_id, ord)'),
  ),
};

export interface PresentedRow extends UserRow {
  token_id: string;
  rotated_at: PgTime | null;
  token_expires_at: PgTime;
  session_id: string;
  rotation_secret: string;
  session_expires_at: PgTime;
  alive: boolean;
}

const FIND_PRESENTED = statement<{ now: Date; idleCutoff: Date; tokenHash: string }, PresentedRow>(`
  select rt.id as token_id, rt.rotated_at, rt.expires_at as token_expires_at,
         s.id as session_id, s.rotation_secret, s.expires_at as session_expires_at,
         (s.revoked_at is null and s.expires_at > :now and s.last_used_at > :idleCutoff and ${CURRENT_GENERATION}) as alive,
         ${userColumns('u')}
  from refresh_token rt join session s on s.id = rt.session_id join app_user u on u.id = s.user_id
  where rt.token_hash = :tokenHash`);

/**
 * What follows claiming a token (a `claimed` CTE returning its session_id), in both rotations: the
 * successor token, the session's last use and the TOKEN_REFRESHED event, whose user is `userId`.
 */
const afterClaim = (userId: string) => `successor as (
    insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
    select :successorId, session_id, :successorHash, :now, :expiresAt from claimed returning session_id
  ), touched as (
    update session set last_used_at = :now where id in (select session_id from claimed) returning id
  ), event as (
    insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
    select :eventId, ${userId}, session_id, '${SecurityEventType.TOKEN_REFRESHED}', :now, :ip, :userAgent from claimed
    returning id
  )`;

/**
 * One statement, so one round trip and atomic. The UPDATE's row lock makes concurrent rotations of
 * one token queue; each re-checks `rotated_at is null` after the winner commits, so exactly one
 * claims it and inserts the successor.
 */
const ROTATE = statement<
  {
    now: Date;
    tokenId: string;
    successorId: string;
    successorHash: string;
    expiresAt: Date;
    eventId: string;
    userId: string;
    ip: string | null;
    userAgent: string | null;
  },
  { claimed: number }
>(
  `
  with claimed as (
    update refresh_token set rotated_at = :now where id = :tokenId and rotated_at is null returning session_id
  ), ${afterClaim(':userId')}
  select count(*)::int as claimed from claimed`,
  { prepare: true },
);

/**
 * ROTATE for a presented token whose session and rotation secret this process already knows (see
 * session.service's `chains`): the lookup and the rotation in one round trip. It claims the token only
 * when FIND_PRESENTED and decideRefresh would have said `rotate` — the token unrotated and unexpired,
 * its session alive — and returns the user; no row means "take the full path", which decides why.
 */
const ROTATE_PRESENTED = statement<
  {
    tokenHash: string;
    sessionId: string;
    now: Date;
    idleCutoff: Date;
    successorId: string;
    successorHash: string;
    expiresAt: Date;
    eventId: string;
    ip: string | null;
    userAgent: string | null;
  },
  UserRow
>(
  `
  with claimed as (
    update refresh_token rt set rotated_at = :now
    from session s, app_user u
    where rt.token_hash = :tokenHash and rt.session_id = :sessionId and rt.rotated_at is null and rt.expires_at > :now
      and s.id = rt.session_id and s.revoked_at is null and s.expires_at > :now and s.last_used_at > :idleCutoff
      and u.id = s.user_id and ${CURRENT_GENERATION}
    returning rt.session_id, s.user_id
  ), ${afterClaim('user_id')}
  select ${userColumns('u')} from app_user u where u.id in (select user_id from claimed)`,
  { prepare: true },
);

/** The values of one ROTATE_PRESENTED, as the batched form takes them. */
export type RotateKey = ParamsOf<typeof ROTATE_PRESENTED>;

/**
 * ROTATE_PRESENTED for the refreshes of concurrent requests at once (see db/batched-read.ts), of distinct
 * sessions: each key's token is claimed, its successor written, its session touched and its event recorded
 * exactly as ROTATE_PRESENTED would, with the key's own time. One row per claimed key, with its 1-based
 * position in `ord`; no row means "take the full path".
 */
const ROTATE_PRESENTED_MANY = statement<
  {
    tokenHashes: string[];
    sessionIds: string[];
    nows: string[];
    idleCutoffs: string[];
    successorIds: string[];
    successorHashes: string[];
    expiresAts: string[];
    eventIds: string[];
    ips: (string | null)[];
    userAgents: (string | null)[];
  },
  UserRow & { ord: string }
>(
  `
  with k as (
    select * from unnest(:tokenHashes::text[], :sessionIds::uuid[], :nows::timestamptz[], :idleCutoffs::timestamptz[],
                         :successorIds::uuid[], :successorHashes::text[], :expiresAts::timestamptz[], :eventIds::uuid[],
                         :ips::text[], :userAgents::text[])
      with ordinality as r(token_hash, session_id, at, idle_cutoff, successor_id, successor_hash, until, event_id, ip, user_agent, ord)
  ), claimed as (
    update refresh_token rt set rotated_at = k.at
    from k, session s, app_user u
    where rt.token_hash = k.token_hash and rt.session_id = k.session_id and rt.rotated_at is null and rt.expires_at > k.at
      and s.id = rt.session_id and s.revoked_at is null and s.expires_at > k.at and s.last_used_at > k.idle_cutoff
      and u.id = s.user_id and ${CURRENT_GENERATION}
    returning k.ord, rt.session_id, s.user_id
  ), successor as (
    insert into refresh_token (id, session_id, token_hash, created_at, expires_at)
    select k.successor_id, c.session_id, k.successor_hash, k.at, k.until from claimed c join k on k.ord = c.ord
    returning session_id
  ), touched as (
    update session s set last_used_at = k.at from claimed c join k on k.ord = c.ord where s.id = c.session_id
    returning s.id
  ), event as (
    insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
    select k.event_id, c.user_id, c.session_id, '${SecurityEventType.TOKEN_REFRESHED}', k.at, k.ip, k.user_agent
    from claimed c join k on k.ord = c.ord
    returning id
  )
  select c.ord, ${userColumns('u')} from claimed c join app_user u on u.id = c.user_id`,
  { prepare: true },
);

const FIND_TOKEN = statement<{ tokenHash: string; sessionId: string }, { rotated_at: PgTime | null; expires_at: PgTime }>(`
  select rotated_at, expires_at from refresh_token where token_hash = :tokenHash and session_id = :sessionId`);

/** Alive: not revoked, not past its absolute expiry, used since the idle cutoff. */
const aliveWhere = (now: Date, idleCutoff: Date) => ({
  revokedAt: null,
  expiresAt: { $gt: now },
  lastUsedAt: { $gt: idleCutoff },
});

/**
 * A session ended before :before: revoked then, or past its absolute expiry then (an idle session is past
 * it at most SESSION_TTL_DAYS later; last_used_at, which every refresh updates, stays unindexed).
 */
const ENDED_BEFORE = `(s.expires_at < :before or s.revoked_at < :before)`;

/** The refresh tokens of ended sessions first, in bounded batches, so deleting a session never cascades to thousands. */
const PURGE_ENDED_TOKENS = statement<{ before: Date; limit: number }, { n: number }>(`
  with doomed as (
    select rt.id from refresh_token rt
    where rt.session_id in (select s.id from session s where ${ENDED_BEFORE}) limit :limit for update skip locked
  ), deleted as (delete from refresh_token where id in (select id from doomed) returning 1)
  select count(*)::int as n from deleted`);

const PURGE_ENDED_SESSIONS = statement<{ before: Date; limit: number }, { n: number }>(`
  with doomed as (
    select s.id from session s
    where ${ENDED_BEFORE} and not exists (select 1 from refresh_token rt where rt.session_id = s.id)
    limit :limit for update skip locked
  ), deleted as (delete from session where id in (select id from doomed) returning 1)
  select count(*)::int as n from deleted`);

/** Where session and refresh_token are read and written. */
export const sessionStore = {
  /** Deletes at most `limit` refresh tokens of sessions that ended before `before`; returns how many. */
  purgeEndedTokens: async (em: EntityManager, before: Date, limit: number) =>
    (await firstRow(em, PURGE_ENDED_TOKENS, { before, limit }))?.n ?? 0,

  /** Deletes at most `limit` sessions that ended before `before` and have no tokens left; returns how many. */
  purgeEndedSessions: async (em: EntityManager, before: Date, limit: number) =>
    (await firstRow(em, PURGE_ENDED_SESSIONS, { before, limit }))?.n ?? 0,

  /**
   * `signIn`: also sets the user's last_login_at to `now`, and only while the password hash is still
   * `verifiedHash`. Null when a sign-in found the hash changed: nothing was written. The session records the
   * account's credential generation as the statement reads it, and returns it.
   */
  async open(
    em: EntityManager,
    values: OpenValues,
    signIn?: { verifiedHash: string },
  ): Promise<{ generation: number; prior?: PriorSessions } | null> {
    if (!signIn) {
      const row = await firstRow(em, OPEN, values);
      return row ? { generation: row.generation } : null;
    }
    const row = await firstRow(em, OPEN_SIGNED_IN, { ...values, ...signIn });
    return row ? { generation: row.generation, prior: { others: row.others, sameClient: row.same_client } } : null;
  },

  /** `read` for one key: its row, absent unless the session is alive at `now`. */
  findActiveWith: <P extends object, R extends ActiveRow>(em: EntityManager, read: SessionRead<P, R>, key: ActiveKey & P) =>
    firstRow(em, read.one, key),

  /** `read` for many keys at one `now`: a row or undefined per key, in the keys' order. */
  async findActiveManyWith<P extends object, R extends ActiveRow>(
    em: EntityManager,
    read: SessionRead<P, R>,
    keys: readonly ({ sessionId: string; userId: string } & P)[],
    now: Date,
    idleCutoff: Date,
  ): Promise<(R | undefined)[]> {
    const params: Record<string, unknown> = { now, idleCutoff };
    for (const name of Object.keys(keys[0] ?? {})) params[`${name}s`] = keys.map((k) => (k as Record<string, unknown>)[name]);
    return inKeyOrder(await rows(em, read.many, params as ManyParams<P>), keys.length, (row) => row);
  },

  /** The refresh token with this hash, its session (and whether that is alive) and its user. */
  findPresented: (em: EntityManager, key: ParamsOf<typeof FIND_PRESENTED>) => firstRow(em, FIND_PRESENTED, key),

  /** Claims the token and writes its successor; false when another request claimed it first. */
  async rotate(em: EntityManager, values: ParamsOf<typeof ROTATE>): Promise<boolean> {
    return (await firstRow(em, ROTATE, values))?.claimed === 1;
  },

  /** Claims a presented token of a known session and writes its successor; the user, or undefined (see ROTATE_PRESENTED). */
  rotatePresented: (em: EntityManager, values: ParamsOf<typeof ROTATE_PRESENTED>) => firstRow(em, ROTATE_PRESENTED, values),

  /** rotatePresented for many keys, of distinct sessions, in one statement: the user or undefined per key, in order. */
  async rotatePresentedMany(em: EntityManager, keys: readonly RotateKey[]): Promise<(UserRow | undefined)[]> {
    const found = await rows(em, ROTATE_PRESENTED_MANY, {
      tokenHashes: keys.map((k) => k.tokenHash),
      sessionIds: keys.map((k) => k.sessionId),
      nows: keys.map((k) => k.now.toISOString()),
      idleCutoffs: keys.map((k) => k.idleCutoff.toISOString()),
      successorIds: keys.map((k) => k.successorId),
      successorHashes: keys.map((k) => k.successorHash),
      expiresAts: keys.map((k) => k.expiresAt.toISOString()),
      eventIds: keys.map((k) => k.eventId),
      ips: keys.map((k) => k.ip),
      userAgents: keys.map((k) => k.userAgent),
    });
    return inKeyOrder(found, keys.length, (row) => row);
  },

  /** A token of the session's chain, by hash. */
  findToken: (em: EntityManager, key: ParamsOf<typeof FIND_TOKEN>) => firstRow(em, FIND_TOKEN, key),

  listAlive(em: EntityManager, userId: string, now: Date, idleCutoff: Date): Promise<Session[]> {
    return em.find(Session, { user: userId, ...aliveWhere(now, idleCutoff) }, { orderBy: { lastUsedAt: 'desc', id: 'asc' } });
  },

  /** Revokes the user's alive sessions (one, or all when `sessionId` is null); returns how many. */
  revokeAlive(
    em: EntityManager,
    target: { userId: string; sessionId: string | null },
    change: { now: Date; idleCutoff: Date; reason: string },
  ): Promise<number> {
    const where = {
      user: target.userId,
      ...(target.sessionId === null ? {} : { id: target.sessionId }),
      ...aliveWhere(change.now, change.idleCutoff),
    };
    return em.nativeUpdate(Session, where, { revokedAt: change.now, revokedReason: change.reason });
  },
};
