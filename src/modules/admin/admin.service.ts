import type { EntityManager } from '@mikro-orm/postgresql';
import { transaction } from '../../db/sql.js';
import { badInput, notFound } from '../../errors.js';
import { AuditAction } from '../audit/audit.entity.js';
import type { Actor, AuditLog } from '../audit/audit.service.js';
import { isUuid } from '../../ids.js';
import type { Tier } from '../user/tier.js';
import { userStore } from '../user/user.store.js';
import type { UserView } from '../user/user.view.js';
import { decodeCursor, encodeCursor } from './user-cursor.js';

export const MAX_PAGE_SIZE = 100;

export interface UserPage {
  edges: { cursor: string; node: UserView }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export interface AdminService {
  /** Users oldest first, `first` (1 to MAX_PAGE_SIZE) after the cursor `after`. */
  listUsers(em: EntityManager, first: number, after: string | null): Promise<UserPage>;
  /** NOT_FOUND for an unknown user; returns the user and the tier it had. Audited, in the same transaction. */
  setTier(em: EntityManager, userId: string, tier: Tier, by: Actor): Promise<{ user: UserView; before: Tier }>;
}

export function createAdminService(audit: AuditLog): AdminService {
  return {
    async listUsers(em, first, after) {
      if (first < 1 || first > MAX_PAGE_SIZE) throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}.`);
      const key = after === null ? null : decodeCursor(after);
      if (after !== null && !key) throw badInput('after', 'after is not a cursor from this API.');
      // One more than asked tells whether another page follows.
      const users = await userStore.page(em, key, first + 1);
      const edges = users.slice(0, first).map((node) => ({ cursor: encodeCursor(node), node }));
      return { edges, pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: users.length > first } };
    },

    async setTier(em, userId, tier, by) {
      if (!isUuid(userId)) throw notFound('userId', 'No such user.');
      return transaction(em, async (tx) => {
        const changed = await userStore.setTier(tx, userId, tier);
        if (!changed) throw notFound('userId', 'No such user.');
        await audit.record(tx, AuditAction.TIER_CHANGED, userId, by);
        return changed;
      });
    },
  };
}
