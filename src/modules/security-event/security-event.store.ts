import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, statement } from '../../db/sql.js';
import { SecurityEvent, type SecurityEventType } from './security-event.entity.js';

export interface NewSecurityEvent {
  userId: string;
  type: SecurityEventType;
  sessionId: string | null;
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

const INSERT = statement<NewSecurityEvent & { id: string }>(
  `
  insert into security_event (id, user_id, session_id, type, at, ip, user_agent)
  values (:id, :userId, :sessionId, :type, :at, :ip, :userAgent)`,
  { prepare: true },
);

const COUNT_FOR_SESSION = statement<{ sessionId: string; type: SecurityEventType }, { n: number }>(
  'select count(*)::int as n from security_event where session_id = :sessionId and type = :type',
);

/** Where security_event is read and written (sessions also write their own opening and refresh events in one statement). */
export const securityEventStore = {
  /** Writes the event now, in `em`'s transaction when it has one: it commits or rolls back with the change it describes. */
  async insert(em: EntityManager, event: NewSecurityEvent): Promise<void> {
    await firstRow(em, INSERT, { id: randomUUID(), ...event });
  },

  /** How many events of this type name the session (shared by every instance: the count lives with the events). */
  async countForSession(em: EntityManager, sessionId: string, type: SecurityEventType): Promise<number> {
    return (await firstRow(em, COUNT_FOR_SESSION, { sessionId, type }))?.n ?? 0;
  },

  recent(em: EntityManager, userId: string, limit: number): Promise<SecurityEvent[]> {
    return em.find(SecurityEvent, { user: userId }, { orderBy: { at: 'desc', id: 'desc' }, limit });
  },
};
