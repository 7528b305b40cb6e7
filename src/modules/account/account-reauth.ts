import { transaction } from '../../db/sql.js';
import { rateLimited } from '../../errors.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { PasswordHasher, PasswordVerdict } from '../auth/password.hasher.js';
import { addressKeys } from '../request/client-info.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import type { SessionService } from '../session/session.service.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.js';
import type { ClientInfo } from '../request/client-info.js';

/** What the check needs of the request and the signed-in caller (account.service's types, structurally). */
type Request = { em: EntityManager; log: Logger; client: ClientInfo };
type Caller = { userId: string; sessionId: string };

/** Wrong current passwords after which the session that sent them ends. */
export const REAUTH_TRIES = 5;

/** The check of a current password that changePassword, deleteAccount and requestEmailChange make. */
export function createPasswordRecheck(deps: {
  throttle: LoginThrottle;
  hasher: PasswordHasher;
  events: SecurityEvents;
  sessions: SessionService;
}): (req: Request, caller: Caller, hash: string, current: string) => Promise<PasswordVerdict> {
  const { throttle, hasher, events, sessions } = deps;
  /**
   * A check of the current password spends the account's login failure budgets like a sign-in (a stolen
   * session is no cheaper oracle than the login form), under its own per-address spelling; a wrong one is
   * recorded, and the session that sent REAUTH_TRIES of them ends.
   */
  return async function checkCurrentPassword(req: Request, caller: Caller, hash: string, current: string) {
    const admission = await throttle.admit({
      account: `user:${caller.userId}`,
      spelling: `reauth:${caller.userId}`,
      addresses: addressKeys(req.client.ip ?? ''),
      device: null,
    });
    if (!admission.admitted) throw rateLimited('Too many wrong passwords', admission.refusal);
    const verdict = await hasher.verify(hash, current);
    if (verdict !== 'mismatch') {
      await admission.succeeded();
      return verdict;
    }
    const ended = await transaction(req.em, async (tx) => {
      const event = { userId: caller.userId, sessionId: caller.sessionId, client: req.client };
      await events.record(tx, { ...event, type: SecurityEventType.REAUTH_FAILED });
      if ((await events.countForSession(tx, caller.sessionId, SecurityEventType.REAUTH_FAILED)) < REAUTH_TRIES) return false;
      await sessions.end(tx, { ...event, reason: 'reauth_failed' });
      return true;
    });
    req.log.warn(
      { event: 'reauth', outcome: 'wrong_password', userId: caller.userId, sessionEnded: ended },
      'wrong current password',
    );
    return verdict;
  };
}
