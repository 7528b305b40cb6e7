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

const PURGE_BEFORE = statement<{ before: Date; limit: number }, { n: number }>(`
  with doomed as (select id from security_event where at < :before limit :limit for update skip locked),
  deleted as (delete from security_event where id in (select id from doomed) returning 1)
  select count(*)::int as n from deleted`);
const COUNT_FOR_SESSION = statement<{ sessionId: string; type: SecurityEventType }, { n: number }>(
  'select count(*)::int as n from security_event where session_id = :sessionId and type = :type',
);

/** Where security_event is read and written (sessions also write their own opening and refresh events in one statement). */
export const securityEventStore = {
  /** Writes the event now, in `em`'s transaction when it has one: it commits or rolls back with the change it describes. */
  async insert(em: EntityManager, event: NewSecurityEvent): Promise<void> {
    await firstRow(em, INSERT, { id: randomUUID(), ...event });
  },

  /** Deletes at most `limit` events from before `before` (skipping rows another purge holds); returns how many. */
  async purgeBefore(em: EntityManager, before: Date, limit: number): Promise<number> {
    return (await firstRow(em, PURGE_BEFORE, { before, limit }))?.n ?? 0;
  },
  /** How many events of this type name the session (shared by every instance: the count lives with the events). */
  async countForSession(em: EntityManager, sessionId: string, type: SecurityEventType): Promise<number> {
    return (await firstRow(em, COUNT_FOR_SESSION, { sessionId, type }))?.n ?? 0;
  },

  recent(em: EntityManager, userId: string, limit: number): Promise<SecurityEvent[]> {
    return em.find(SecurityEvent, { user: userId }, { orderBy: { at: 'desc', id: 'desc' }, limit });
  },
};
