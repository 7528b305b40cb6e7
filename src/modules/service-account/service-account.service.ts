import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../clock.js';
import { transaction } from '../../db/sql.js';
import { badInput, notFound } from '../../errors.js';
import { AuditAction } from '../audit/audit.entity.js';
import type { Actor, AuditLog } from '../audit/audit.service.js';
import { isUuid } from '../../ids.js';
import type { ChangeBus } from '../realtime/change-bus.js';
import type { ServiceAccount } from './service-account.entity.js';
import { hashServiceKey, looksLikeServiceKey, newServiceKey } from './service-account.key.js';
import { serviceAccountStore } from './service-account.store.js';

export interface ServiceAccounts {
  /** A new worker identity and its key; the key is never stored, only its hash. Audited, in the same transaction. */
  create(
    em: EntityManager,
    name: string,
    createdBy: Actor & { id: string },
  ): Promise<{ serviceAccount: ServiceAccount; apiKey: string }>;
  /** NOT_FOUND unless a live account has that id. Audited, in the same transaction. */
  revoke(em: EntityManager, id: string, by: Actor): Promise<void>;
  /**
   * The worker whose live key this bearer token is, or null (a JWT, an unknown or a revoked key). A key
   * this process found live in the last RECENT_MS is answered from memory, without a round trip. A
   * revocation on any instance reaches every instance's memory through the change bus at once; should the
   * bus miss it (an outage), a worker's only write, a progress report, still checks the key again in its
   * own statement, and the memory is cleared when the bus reconnects.
   */
  authenticate(em: EntityManager, bearer: string): Promise<ServiceAccountCaller | null>;
}

export interface ServiceAccountCaller {
  id: string;
  keyHash: string;
}

const RECENT_LIMIT = 1_000;
const RECENT_MS = 30_000;

export function createServiceAccounts(
  clock: Clock,
  audit: AuditLog,
  bus: Pick<ChangeBus, 'publishWorkerKeyRevoked' | 'onWorkerKeyRevoked' | 'onReconnect'>,
): ServiceAccounts {
  // On the injected clock, read on every lookup (ttlResolution 0), so a test's manual clock ages entries.
  const recent = new LRUCache<string, { id: string }>({
    max: RECENT_LIMIT,
    ttl: RECENT_MS,
    ttlResolution: 0,
    perf: { now: () => clock().getTime() },
  });
  const forget = (id: string) => {
    // Collected first: lru-cache does not promise that deleting while iterating visits every entry.
    const revoked = [...recent.entries()].filter(([, seen]) => seen.id === id);
    for (const [keyHash] of revoked) recent.delete(keyHash);
  };
  bus.onWorkerKeyRevoked(forget);
  // Revocations may have been missed while the bus was down: nothing remembered is trusted after it.
  bus.onReconnect(() => recent.clear());
  return {
    async create(em, name, createdBy) {
      const trimmed = name.trim();
      if (trimmed.length < 1 || trimmed.length > 100) throw badInput('name', 'name must be 1 to 100 characters.');
      const apiKey = newServiceKey();
      const serviceAccount = await transaction(em, async (tx) => {
        const created = await serviceAccountStore.insert(tx, {
          name: trimmed,
          keyHash: hashServiceKey(apiKey),
          keyPrefix: apiKey.slice(0, 12),
          createdBy: createdBy.id,
          createdAt: clock(),
        });
        await audit.record(tx, AuditAction.SERVICE_ACCOUNT_CREATED, created.id, createdBy);
        return created;
      });
      return { serviceAccount, apiKey };
    },

    async revoke(em, id, by) {
      if (!isUuid(id)) throw notFound('id', 'No such active service account.');
      await transaction(em, async (tx) => {
        if (!(await serviceAccountStore.revoke(tx, id, clock()))) throw notFound('id', 'No such active service account.');
        await audit.record(tx, AuditAction.SERVICE_ACCOUNT_REVOKED, id, by);
      });
      forget(id);
      // Every other instance forgets it too, now rather than when its memory lapses.
      await bus.publishWorkerKeyRevoked(id);
    },

    async authenticate(em, bearer) {
      if (!looksLikeServiceKey(bearer)) return null;
      const keyHash = hashServiceKey(bearer);
      const seen = recent.get(keyHash);
      if (seen) return { id: seen.id, keyHash };
      const live = await serviceAccountStore.findLiveByKeyHash(em, keyHash);
      if (!live) {
        recent.delete(keyHash);
        return null;
      }
      recent.set(keyHash, { id: live.id });
      return { id: live.id, keyHash };
    },
  };
}
