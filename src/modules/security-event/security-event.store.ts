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

/** Where security_event is read and written (sessions also write their own opening and refresh events in one statement). */
export const securityEventStore = {
  /** Writes the event now, in `em`'s transaction when it has one: it commits or rolls back with the change it describes. */
  async insert(em: EntityManager, event: NewSecurityEvent): Promise<void> {
    await firstRow(em, INSERT, { id: randomUUID(), ...event });
  },

  recent(em: EntityManager, userId: string, limit: number): Promise<SecurityEvent[]> {
    return em.find(SecurityEvent, { user: userId }, { orderBy: { at: 'desc', id: 'desc' }, limit });
  },
};
