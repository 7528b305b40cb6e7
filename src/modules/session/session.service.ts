import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../clock.js';
import { type BatchableRead, batchedRead, writeInRounds } from '../../db/batched-read.js';
import { pgDate, transaction } from '../../db/sql.js';
import { isUuid } from '../../ids.js';
import { invalidCredentials } from '../../errors.js';
import type { ChangeBus } from '../realtime/change-bus.js';
import { storedIp, storedUserAgent, type ClientInfo } from '../request/client-info.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import type { AccessClaims } from '../token/access-token.claims.js';
import { userStore } from '../user/user.store.js';
import { type UserRow, userViewOfRow, type UserView } from '../user/user.view.js';
import { hashRefreshToken, newRefreshToken, newRotationSecret, successorOf } from './refresh-token.js';
import type { Session } from './session.entity.js';
import { decideRefresh } from './session.rules.js';
import {
  ACTIVE_SESSION,
  type ActiveRow,
  type PriorSessions,
  type RotateKey,
  type SessionRead,
  sessionStore,
} from './session.store.js';

export interface ActiveSession {
  session: { id: string };
  user: UserView;
}

const activeOfRow = (row: ActiveRow): ActiveSession => ({ session: { id: row.session_id }, user: userViewOfRow(row) });

/** A read made beside the viewer's session check (see RequestContext.viewerAlong). */
export interface AlongRead<T> {
  /** The session check and the read as one statement (see findActiveWith): null when the session is not alive. */
  together(em: EntityManager, claims: AccessClaims): Promise<{ active: ActiveSession; along: T } | null>;
  /** The read alone, for a viewer already checked. */
  alone(em: EntityManager, viewer: ActiveSession): Promise<T>;
}

export interface IssuedRefresh {
  session: { id: string; user: UserView };
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

/** A new session: also the credential generation it was opened under (device tokens carry it too). */
export interface OpenedSession extends IssuedRefresh {
  generation: number;
  prior?: PriorSessions;
}

export type RefreshOutcome =
  | ({ kind: 'rotated' | 'grace' } & IssuedRefresh)
  | { kind: 'reused'; session: { id: string; user: UserView } }
  | { kind: 'invalid' };

/** Why sessions end, each with the event that records it (the reason is also stored on the session). */
const endings = {
  logout: SecurityEventType.LOGGED_OUT,
  revoked: SecurityEventType.SESSION_REVOKED,
  refresh_token_reused: SecurityEventType.REFRESH_TOKEN_REUSED,
  password_reset: SecurityEventType.PASSWORD_RESET,
  password_changed: SecurityEventType.PASSWORD_CHANGED,
  email_changed: SecurityEventType.EMAIL_CHANGED,
  email_change_reverted: SecurityEventType.EMAIL_CHANGE_REVERTED,
  reauth_failed: SecurityEventType.SESSION_REVOKED,
  account_deleted: SecurityEventType.SESSION_REVOKED,
} as const satisfies Record<string, SecurityEventType>;
export type SessionEnding = keyof typeof endings;
/** Changes to the account itself: their event is recorded even when no session was alive to end. */
const accountChanges: ReadonlySet<SessionEnding> = new Set([
  'password_reset',
  'password_changed',
  'email_changed',
  'email_change_reverted',
]);

/**
 * The events that change who can get into an account. Each bumps the credential generation (see
 * revokeCredentials); none of the others (one logout, revokeSession, deletion) does.
 */
export type CredentialEvent = Extract<
  SessionEnding,
  'password_reset' | 'password_changed' | 'email_changed' | 'email_change_reverted' | 'logout' | 'refresh_token_reused'
>;

export interface EndSessions {
  userId: string;
  /** The session the request concerns, if any (an emailed link has none); the event names it. */
  sessionId: string | null;
  /** Every alive session of the user, not only `sessionId`. */
  all?: boolean;
  reason: SessionEnding;
  client: ClientInfo;
}

export interface SessionService {
  /**
   * Writes a new session, its first refresh token and the event that opened it (REGISTERED, LOGIN_SUCCEEDED, …).
   * `signedIn`: a password sign-in, whose time is recorded on the user in the same statement (the session
   * then opens at that time too), and only while the stored hash is still the one the password was checked
   * against; otherwise nothing is written and it fails with INVALID_CREDENTIALS.
   */
  open(
    em: EntityManager,
    request: {
      user: UserView;
      client: ClientInfo;
      event: SecurityEventType;
      signedIn?: { at: Date; verifiedHash: string };
    },
  ): Promise<OpenedSession>;
  /** The session and its user while it is alive (not revoked, not past its absolute or idle expiry). */
  findActive(em: EntityManager, sessionId: string, userId: string): Promise<ActiveSession | null>;
  /**
   * The same check made by a statement that also reads what a field needs (one round trip instead of
   * two; see SessionRead). Null when the session is not alive.
   */
  findActiveWith<P extends object, R extends ActiveRow>(
    em: EntityManager,
    sessionId: string,
    userId: string,
    read: SessionRead<P, R>,
    params: P,
  ): Promise<{ active: ActiveSession; row: R } | null>;
  listActive(em: EntityManager, userId: string): Promise<Session[]>;
  /** Exchanges a refresh token; atomic under concurrent calls with the same token. */
  refresh(em: EntityManager, presented: string, client: ClientInfo): Promise<RefreshOutcome>;
  /**
   * The one way sessions end: revokes the alive ones, records the event in the same transaction and,
   * when any ended, tells every instance (their WebSockets close). Returns how many were alive.
   */
  end(em: EntityManager, request: EndSessions): Promise<number>;
  /**
   * The one way the credential generation changes: bumps it and ends every session, in `em`'s transaction
   * (or one of its own). Every mailed link, device token and session issued before is refused from then
   * on (undo links for an email change excepted: they must survive the bump their own change causes).
   * Returns the new generation.
   */
  revokeCredentials(
    em: EntityManager,
    request: { userId: string; sessionId: string | null; reason: CredentialEvent; client: ClientInfo },
  ): Promise<number>;
}

const MAX_CHAIN_WALK = 16;

/**
 * What rotating a chain's live token needs besides the database's say-so, none of which ever changes
 * for a session: kept per process for the tokens it issued, keyed by their hash, so that the usual
 * refresh (a client sending back the token this process gave it) is one statement instead of a lookup
 * and then the rotation. Whether the token and its session are still good is always asked of the
 * database; an entry is used once, and a miss (another instance, a restart, eviction) takes the full path.
 */
interface KnownChain {
  sessionId: string;
  secret: string;
  sessionExpiresAt: Date;
}
const KNOWN_CHAINS_LIMIT = 10_000;

export function createSessionService(options: {
  clock: Clock;
  ttlSeconds: number;
  idleTimeoutSeconds: number;
  refreshGraceSeconds: number;
  events: SecurityEvents;
  bus: ChangeBus;
}): SessionService {
  const { clock, ttlSeconds, idleTimeoutSeconds, refreshGraceSeconds, events, bus } = options;
  const idleCutoff = (now: Date) => new Date(now.getTime() - idleTimeoutSeconds * 1000);
  // A refresh token dies at the idle timeout, but never outlives its session.
  const tokenExpiry = (sessionExpiresAt: Date, now: Date) =>
    new Date(Math.min(sessionExpiresAt.getTime(), now.getTime() + idleTimeoutSeconds * 1000));

  const chains = new LRUCache<string, KnownChain>({ max: KNOWN_CHAINS_LIMIT });

  /**
   * A session read for one key or, outside a transaction, batched with the same read of concurrent
   * requests: one statement per turn of the event loop (see db/batched-read.ts). The time is taken when
   * the statement is sent.
   */
  const batches = new Map<object, unknown>();
  const now = () => {
    const at = clock();
    return { now: at, idleCutoff: idleCutoff(at) };
  };
  function readActive<P extends object, R extends ActiveRow>(
    em: EntityManager,
    read: SessionRead<P, R>,
    key: { sessionId: string; userId: string } & P,
  ): Promise<R | undefined> {
    let batched = batches.get(read) as ReturnType<typeof batchedRead<typeof key, R>> | undefined;
    if (!batched) {
      batched = batchedRead<typeof key, R>({
        one: (on, one) => sessionStore.findActiveWith(on, read, { ...one, ...now() }),
        many: (on, keys) => {
          const at = now();
          return sessionStore.findActiveManyWith(on, read, keys, at.now, at.idleCutoff);
        },
      });
      batches.set(read, batched);
    }
    return batched(em, key);
  }

  const findActiveWith: SessionService['findActiveWith'] = async (em, sessionId, userId, read, params) => {
    // Token claims name our own ids; anything else names no session, and must not fail a batch's uuid cast.
    if (!isUuid(sessionId) || !isUuid(userId)) return null;
    const row = await readActive(em, read, { ...params, sessionId, userId });
    return row ? { active: activeOfRow(row), row } : null;
  };

  /** The token that succeeds `presented` in a chain, and the values that writing it records. */
  const successorFor = (chain: KnownChain, presented: string, now: Date, client: ClientInfo) => {
    const refreshToken = successorOf(chain.secret, presented);
    const expiresAt = tokenExpiry(chain.sessionExpiresAt, now);
    const write = {
      now,
      successorId: randomUUID(),
      successorHash: hashRefreshToken(refreshToken),
      expiresAt,
      eventId: randomUUID(),
      ip: storedIp(client),
      userAgent: storedUserAgent(client),
    };
    return { refreshToken, expiresAt, write };
  };

  /**
   * The known-chain rotations of concurrent requests, one statement per turn of the event loop (see
   * db/batched-read.ts), in rounds of distinct sessions (see writeInRounds).
   */
  const rotations: BatchableRead<RotateKey, UserRow> = {
    one: sessionStore.rotatePresented,
    many: sessionStore.rotatePresentedMany,
  };
  const rotateBatched = batchedRead<RotateKey, UserRow>({
    one: rotations.one,
    many: (em, keys) => writeInRounds(em, keys, (key) => key.sessionId, rotations),
  });

  /** The one-statement rotation of a token this process issued; null when the full path must decide. */
  async function rotateKnown(
    em: EntityManager,
    chain: KnownChain,
    presented: string,
    tokenHash: string,
    now: Date,
    client: ClientInfo,
  ) {
    const next = successorFor(chain, presented, now, client);
    const key = { ...next.write, tokenHash, sessionId: chain.sessionId, idleCutoff: idleCutoff(now) };
    const user = await rotateBatched(em, key);
    if (!user) return null;
    chains.set(next.write.successorHash, chain);
    const session = { id: chain.sessionId, user: userViewOfRow(user) };
    return { kind: 'rotated' as const, session, refreshToken: next.refreshToken, refreshTokenExpiresAt: next.expiresAt };
  }

  const service: SessionService = {
    async open(em, { user, client, event, signedIn }) {
      const now = signedIn?.at ?? clock();
      const sessionId = randomUUID();
      const sessionExpiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      const refreshToken = newRefreshToken();
      const expiresAt = tokenExpiry(sessionExpiresAt, now);
      const rotationSecret = newRotationSecret();
      const tokenHash = hashRefreshToken(refreshToken);
      const opened = await sessionStore.open(
        em,
        {
          sessionId,
          userId: user.id,
          now,
          sessionExpiresAt,
          rotationSecret,
          userAgent: storedUserAgent(client),
          ip: storedIp(client),
          tokenId: randomUUID(),
          tokenHash,
          tokenExpiresAt: expiresAt,
          eventId: randomUUID(),
          event,
        },
        signedIn && { verifiedHash: signedIn.verifiedHash },
      );
      // The password changed (or was reset) while it was being checked: the old one opens nothing.
      if (!opened) throw invalidCredentials();
      // Should the caller's transaction roll back, the entry matches no token and is never used.
      chains.set(tokenHash, { sessionId, secret: rotationSecret, sessionExpiresAt });
      return {
        session: { id: sessionId, user },
        refreshToken,
        refreshTokenExpiresAt: expiresAt,
        generation: opened.generation,
        prior: opened.prior,
      };
    },

    async findActive(em, sessionId, userId) {
      return (await findActiveWith(em, sessionId, userId, ACTIVE_SESSION, {}))?.active ?? null;
    },

    findActiveWith,

    listActive(em, userId) {
      const now = clock();
      return sessionStore.listAlive(em, userId, now, idleCutoff(now));
    },

    async refresh(em, presented, client) {
      const now = clock();
      const tokenHash = hashRefreshToken(presented);
      const known = chains.get(tokenHash);
      if (known) {
        chains.delete(tokenHash);
        const rotated = await rotateKnown(em, known, presented, tokenHash, now, client);
        if (rotated) return rotated;
      }
      const found = await sessionStore.findPresented(em, { now, idleCutoff: idleCutoff(now), tokenHash });
      if (!found?.alive) return { kind: 'invalid' };
      const session = { id: found.session_id, user: userViewOfRow(found) };

      const presentedState = { rotatedAt: pgDate(found.rotated_at), expiresAt: pgDate(found.token_expires_at) };
      let decision = decideRefresh(presentedState, now, refreshGraceSeconds);
      if (decision === 'expired') return { kind: 'invalid' };
      if (decision === 'rotate') {
        const chain = {
          sessionId: found.session_id,
          secret: found.rotation_secret,
          sessionExpiresAt: pgDate(found.session_expires_at),
        };
        const next = successorFor(chain, presented, now, client);
        const claimed = await sessionStore.rotate(em, { ...next.write, tokenId: found.token_id, userId: found.id });
        if (claimed) {
          chains.set(next.write.successorHash, chain);
          return { kind: 'rotated', session, refreshToken: next.refreshToken, refreshTokenExpiresAt: next.expiresAt };
        }
        // Lost the race: the winner has committed, so this is a duplicate within moments of the rotation.
        decision = refreshGraceSeconds > 0 ? 'grace' : 'reuse';
      }

      if (decision === 'grace') {
        const current = await currentOfChain(em, found.session_id, found.rotation_secret, presented);
        if (current) return { kind: 'grace', session, ...current };
      }

      // A replayed token means someone else holds the chain: every session and credential of the account goes.
      await service.revokeCredentials(em, {
        userId: session.user.id,
        sessionId: session.id,
        reason: 'refresh_token_reused',
        client,
      });
      return { kind: 'reused', session };
    },

    async end(em, { userId, sessionId, all = false, reason, client }) {
      const now = clock();
      const ended = await transaction(em, async (tx) => {
        const change = { now, idleCutoff: idleCutoff(now), reason };
        const n = await sessionStore.revokeAlive(tx, { userId, sessionId: all ? null : sessionId }, change);
        if (n > 0 || accountChanges.has(reason)) await events.record(tx, { userId, type: endings[reason], sessionId, client });
        return n;
      });
      if (ended > 0) await bus.publishSessionsEnded({ userId, sessionId: all ? null : sessionId });
      return ended;
    },

    async revokeCredentials(em, { userId, sessionId, reason, client }) {
      return transaction(em, async (tx) => {
        const generation = await userStore.bumpCredentialGeneration(tx, userId);
        await service.end(tx, { userId, sessionId, all: true, reason, client });
        return generation;
      });
    },
  };
  return service;

  /** Follows the derived successors from `presented` to the chain's live token, if the chain is intact. */
  async function currentOfChain(em: EntityManager, sessionId: string, secret: string, presented: string) {
    let token = presented;
    for (let step = 0; step < MAX_CHAIN_WALK; step++) {
      token = successorOf(secret, token);
      const row = await sessionStore.findToken(em, { tokenHash: hashRefreshToken(token), sessionId });
      if (!row) return null;
      const expiresAt = pgDate(row.expires_at);
      if (!row.rotated_at) return expiresAt > clock() ? { refreshToken: token, refreshTokenExpiresAt: expiresAt } : null;
    }
    return null;
  }
}
