import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { badInput } from '../../errors.js';
import { storedIp, storedUserAgent, type ClientInfo } from '../request/client-info.js';
import type { SecurityEvent, SecurityEventType } from './security-event.entity.js';
import { securityEventStore } from './security-event.store.js';

export interface SecurityEvents {
  /** Records one event now, inside `em`'s transaction when it has one. */
  record(
    em: EntityManager,
    event: { userId: string; type: SecurityEventType; sessionId?: string | null; client: ClientInfo },
  ): Promise<void>;
  /** How many events of this type the session has had. */
  countForSession(em: EntityManager, sessionId: string, type: SecurityEventType): Promise<number>;
  /** The user's newest events, newest first; BAD_USER_INPUT unless 1 ≤ first ≤ 100. */
  recent(em: EntityManager, userId: string, first: number): Promise<SecurityEvent[]>;
}

export function createSecurityEvents(clock: Clock): SecurityEvents {
  return {
    record: (em, { userId, type, sessionId = null, client }) =>
      securityEventStore.insert(em, {
        userId,
        type,
        sessionId,
        at: clock(),
        ip: storedIp(client),
        userAgent: storedUserAgent(client),
      }),
    countForSession: (em, sessionId, type) => securityEventStore.countForSession(em, sessionId, type),
    recent(em, userId, first) {
      if (first < 1 || first > 100) throw badInput('first', 'first must be between 1 and 100.');
      return securityEventStore.recent(em, userId, first);
    },
  };
}
