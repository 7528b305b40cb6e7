import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgDate, type PgTime, rows, statement } from '../../db/sql.js';
import type { AuditAction, AuditEntry } from './audit.entity.js';

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

const INSERT = statement<AuditEntry>(
  `
  insert into audit_entry (id, action, actor_id, target_id, at, client_address)
  values (:id, :action, :actorId, :targetId, :at::timestamptz, :clientAddress)`,
);

type Row = {
  id: string;
  action: AuditAction;
  actor_id: string | null;
  target_id: string;
  at: PgTime;
  client_address: string | null;
};

const FIRST_PAGE = statement<{ limit: number }, Row>(
  'select id, action, actor_id, target_id, at, client_address from audit_entry order by at desc, id desc limit :limit',
);
const PAGE_AFTER = statement<{ at: Date; id: string; limit: number }, Row>(`
  select id, action, actor_id, target_id, at, client_address from audit_entry
  where (at, id) < (:at::timestamptz, :id::uuid)
  order by at desc, id desc limit :limit`);

/**
 * One bounded batch of the retention purge. The trigger on audit_entry refuses deletes unless the
 * transaction says it is the purge (`tollgate.audit_purge`), so nothing else can erase history.
 */
const ALLOW_PURGE = statement<Record<string, never>>(`select set_config('tollgate.audit_purge', 'on', true)`);
const PURGE_BATCH = statement<{ before: Date; limit: number }, { id: string }>(`
  delete from audit_entry where id in (
    select id from audit_entry where at < :before::timestamptz order by at limit :limit
  ) returning id`);

const entryOf = (r: Row): AuditEntry => ({
  id: r.id,
  action: r.action,
  actorId: r.actor_id,
  targetId: r.target_id,
  at: pgDate(r.at),
  clientAddress: r.client_address,
});

/** Where audit_entry is read and written. */
export const auditStore = {
  /** Appends the entry in `em`'s transaction: it commits or rolls back with the action it records. */
  async insert(em: EntityManager, entry: NewAuditEntry): Promise<AuditEntry> {
    const row = { ...entry, id: randomUUID() };
    await rows(em, INSERT, row);
    return row;
  },

  /** Newest first, `limit` entries after (older than) the key. */
  async page(em: EntityManager, after: { at: Date; id: string } | null, limit: number): Promise<AuditEntry[]> {
    const found = after ? await rows(em, PAGE_AFTER, { ...after, limit }) : await rows(em, FIRST_PAGE, { limit });
    return found.map(entryOf);
  },

  /** Deletes at most `limit` entries older than `before`, oldest first; must run inside a transaction. */
  async purgeBatch(em: EntityManager, before: Date, limit: number): Promise<number> {
    await rows(em, ALLOW_PURGE, {});
    return (await rows(em, PURGE_BATCH, { before, limit })).length;
  },
};
