import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, statement } from '../../db/sql.js';
import { ServiceAccount } from './service-account.entity.js';

/** Checked on every report a worker sends: plain SQL, no entity. */
const FIND_LIVE_BY_KEY = statement<{ keyHash: string }, { id: string }>(
  'select id from service_account where key_hash = :keyHash and revoked_at is null',
);

/** Where service_account is read and written. */
export const serviceAccountStore = {
  async insert(
    em: EntityManager,
    fields: { name: string; keyHash: string; keyPrefix: string; createdBy: string; createdAt: Date },
  ): Promise<ServiceAccount> {
    const account = em.create(ServiceAccount, fields);
    await em.flush();
    return account;
  },

  /** Revokes a live account; false when there is none with that id. */
  async revoke(em: EntityManager, id: string, at: Date): Promise<boolean> {
    return (await em.nativeUpdate(ServiceAccount, { id, revokedAt: null }, { revokedAt: at })) > 0;
  },

  findLiveByKeyHash: (em: EntityManager, keyHash: string) => firstRow(em, FIND_LIVE_BY_KEY, { keyHash }),
};
