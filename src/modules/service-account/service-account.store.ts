import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, rows, statement } from '../../db/sql.js';
import { ServiceAccount } from './service-account.entity.js';

/** Checked on every report a worker sends: plain SQL, no entity. */
const FIND_LIVE_BY_KEY = statement<{ keyHash: string }, { id: string }>(
  'select id from service_account where key_hash = :keyHash and revoked_at is null',
);

type NewServiceAccount = { name: string; keyHash: string; keyPrefix: string; createdBy: string; createdAt: Date };

// Plain SQL rather than em.flush: see db/sql.ts `transaction` on why no request path runs the unit of work.
const INSERT = statement<NewServiceAccount & { id: string }>(`
  insert into service_account (id, name, key_hash, key_prefix, created_by, created_at)
  values (:id, :name, :keyHash, :keyPrefix, :createdBy, :createdAt)`);

/** Where service_account is read and written. */
export const serviceAccountStore = {
  async insert(em: EntityManager, fields: NewServiceAccount): Promise<ServiceAccount> {
    const account = { ...fields, id: randomUUID(), revokedAt: null };
    await rows(em, INSERT, account);
    return account;
  },

  /** Revokes a live account; false when there is none with that id. */
  async revoke(em: EntityManager, id: string, at: Date): Promise<boolean> {
    return (await em.nativeUpdate(ServiceAccount, { id, revokedAt: null }, { revokedAt: at })) > 0;
  },

  findLiveByKeyHash: (em: EntityManager, keyHash: string) => firstRow(em, FIND_LIVE_BY_KEY, { keyHash }),
};
