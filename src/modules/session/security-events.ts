import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { User } from '../user/user.entity.js';
import type { ClientInfo } from './session.service.js';
import { SecurityEvent, SecurityEventType } from './security-event.entity.js';

export { SecurityEventType };

export type RecordEvent = (
  em: EntityManager,
  event: { user: User | string; type: SecurityEventType; sessionId?: string | null; client: ClientInfo },
) => SecurityEvent;

/** Persists (without flushing) one event, so it commits or rolls back with the change it describes. */
export const createEventRecorder =
  (clock: Clock): RecordEvent =>
  (em, { user, type, sessionId = null, client }) =>
    em.create(SecurityEvent, {
      user: typeof user === 'string' ? em.getReference(User, user) : user,
      type,
      sessionId,
      at: clock(),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    });
