import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { badInput, notFound } from '../../errors.js';
import { isUuid } from '../../ids.js';
import type { ServiceAccount } from './service-account.entity.js';
import { hashServiceKey, looksLikeServiceKey, newServiceKey } from './service-account.key.js';
import { serviceAccountStore } from './service-account.store.js';

export interface ServiceAccounts {
  /** A new worker identity and its key; the key is never stored, only its hash. */
  create(em: EntityManager, name: string, createdBy: string): Promise<{ serviceAccount: ServiceAccount; apiKey: string }>;
  /** NOT_FOUND unless a live account has that id. */
  revoke(em: EntityManager, id: string): Promise<void>;
  /** The worker whose live key this bearer token is, or null (a JWT, an unknown or a revoked key). */
  authenticate(em: EntityManager, bearer: string): Promise<{ id: string } | null>;
}

export function createServiceAccounts(clock: Clock): ServiceAccounts {
  return {
    async create(em, name, createdBy) {
      const trimmed = name.trim();
      if (trimmed.length < 1 || trimmed.length > 100) throw badInput('name', 'name must be 1 to 100 characters.');
      const apiKey = newServiceKey();
      const serviceAccount = await serviceAccountStore.insert(em, {
        name: trimmed,
        keyHash: hashServiceKey(apiKey),
        keyPrefix: apiKey.slice(0, 12),
        createdBy,
        createdAt: clock(),
      });
      return { serviceAccount, apiKey };
    },

    async revoke(em, id) {
      const revoked = isUuid(id) && (await serviceAccountStore.revoke(em, id, clock()));
      if (!revoked) throw notFound('id', 'No such active service account.');
    },

    async authenticate(em, bearer) {
      if (!looksLikeServiceKey(bearer)) return null;
      return (await serviceAccountStore.findLiveByKeyHash(em, hashServiceKey(bearer))) ?? null;
    },
  };
}
