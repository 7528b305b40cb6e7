import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { transaction } from '../../db/sql.js';
import { badInput } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../admin/user-cursor.js';
import type { AuditAction, AuditEntry } from './audit.entity.js';
import { auditStore } from './audit.store.js';

export const MAX_AUDIT_PAGE = 100;
/** Rows per purge statement: a large backlog is removed in short transactions, never one long lock. */
const PURGE_BATCH = 1000;
/** Batches per purge run; the rest waits for the next run. */
const PURGE_BATCHES = 20;

export interface AuditPage {
  edges: { cursor: string; node: AuditEntry }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** Who did it: an admin's user id and the request's client address; both null from the server's command line. */
export interface Actor {
  id: string | null;
  clientAddress: string | null;
}

export interface AuditLog {
  /** Records an action inside `em`'s transaction (call it from inside the transaction that makes the change). */
  record(em: EntityManager, action: AuditAction, targetId: string, actor: Actor): Promise<void>;
  /** Newest first, `first` (1 to MAX_AUDIT_PAGE) after the cursor `after`. */
  list(em: EntityManager, first: number, after: string | null): Promise<AuditPage>;
  /** Deletes entries older than the retention, in bounded batches; returns how many. */
  purgeExpired(em: EntityManager): Promise<number>;
}

export function createAuditLog({ clock, retentionDays }: { clock: Clock; retentionDays: number }): AuditLog {
  return {
    async record(em, action, targetId, actor) {
      if (!em.isInTransaction()) throw new Error('an audit entry is written in the transaction of the action it records');
      await auditStore.insert(em, { action, targetId, actorId: actor.id, clientAddress: actor.clientAddress, at: clock() });
    },

    async list(em, first, after) {
      if (first < 1 || first > MAX_AUDIT_PAGE) throw badInput('first', `first must be between 1 and ${MAX_AUDIT_PAGE}.`);
      const key = after === null ? null : decodeCursor(after);
      if (after !== null && !key) throw badInput('after', 'after is not a cursor from this API.');
      // One more than asked tells whether another page follows.
      const entries = await auditStore.page(em, key && { at: key.createdAt, id: key.id }, first + 1);
      const edges = entries.slice(0, first).map((node) => ({ cursor: encodeCursor({ createdAt: node.at, id: node.id }), node }));
      return { edges, pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: entries.length > first } };
    },

    async purgeExpired(em) {
      const before = new Date(clock().getTime() - retentionDays * 24 * 3600 * 1000);
      let purged = 0;
      for (let i = 0; i < PURGE_BATCHES; i++) {
        const deleted = await transaction(em, (tx) => auditStore.purgeBatch(tx, before, PURGE_BATCH));
        purged += deleted;
        if (deleted < PURGE_BATCH) break;
      }
      return purged;
    },
  };
}
