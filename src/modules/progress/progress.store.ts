import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, type PgTime, statement } from '../../db/sql.js';
import { ResourceProgressRecord } from './progress.entity.js';
import type { StageMap } from './progress.rules.js';

/** A resource_progress row as the hot paths read it, without hydrating an entity. */
export interface ProgressRow {
  resource_id: string;
  owner_id: string;
  stages: StageMap;
  updated_at: PgTime;
  expires_at: PgTime;
}

/** What a report writes: the whole stage map, serialised, and the new expiry. */
export interface ProgressWrite {
  resourceId: string;
  ownerId: string;
  stages: string;
  now: Date;
  expiresAt: Date;
}

// Reports are a worker's hot path: plain SQL, and an optimistic compare-and-swap on the row's xmin
// (it changes with every update) instead of a transaction holding a row lock across round trips.
const READ_CURRENT = statement<{ resourceId: string }, ProgressRow & { revision: string }>(`
  select xmin::text as revision, resource_id, owner_id, stages, updated_at, expires_at
  from resource_progress where resource_id = :resourceId`);

const INSERT_NEW = statement<ProgressWrite, ProgressRow>(`
  insert into resource_progress (resource_id, owner_id, stages, updated_at, expires_at)
  values (:resourceId, :ownerId, :stages::jsonb, :now, :expiresAt) on conflict (resource_id) do nothing
  returning resource_id, owner_id, stages, updated_at, expires_at`);

const SWAP = statement<ProgressWrite & { revision: string }, ProgressRow>(`
  update resource_progress set owner_id = :ownerId, stages = :stages::jsonb, updated_at = :now, expires_at = :expiresAt
  where resource_id = :resourceId and xmin::text = :revision
  returning resource_id, owner_id, stages, updated_at, expires_at`);

const READ_LIVE = statement<{ resourceId: string; now: Date }, ProgressRow>(`
  select resource_id, owner_id, stages, updated_at, expires_at
  from resource_progress where resource_id = :resourceId and expires_at > :now`);

/** Where resource_progress is read and written. */
export const progressStore = {
  /** The row, expired or not, with the revision a later `swap` compares against. */
  readCurrent: (em: EntityManager, resourceId: string) => firstRow(em, READ_CURRENT, { resourceId }),

  /** Inserts the first row for a resource; undefined when another writer inserted it first. */
  insertNew: (em: EntityManager, write: ProgressWrite) => firstRow(em, INSERT_NEW, write),

  /** Rewrites the row if it is still at `revision`; undefined when another writer changed it first. */
  swap: (em: EntityManager, write: ProgressWrite & { revision: string }) => firstRow(em, SWAP, write),

  readLive: (em: EntityManager, resourceId: string, now: Date) => firstRow(em, READ_LIVE, { resourceId, now }),

  purgeExpired: (em: EntityManager, now: Date) => em.nativeDelete(ResourceProgressRecord, { expiresAt: { $lte: now } }),
};
