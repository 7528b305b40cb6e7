import type { EntityManager } from '@mikro-orm/postgresql';
import { firstRow, type PgTime, statement } from '../../db/sql.js';
import { ResourceProgressRecord } from './progress.entity.js';
import type { StageMap, StageStatus } from './progress.rules.js';

/** A resource_progress row as the hot paths read it, without hydrating an entity. */
export interface ProgressRow {
  resource_id: string;
  owner_id: string;
  stages: StageMap;
  updated_at: PgTime;
  expires_at: PgTime;
}

/** One stage's report, applied to the row by the database (see REPORT). */
export interface ProgressReport {
  resourceId: string;
  ownerId: string;
  stage: string;
  /** `{ "<stage>": <its new state> }`, serialised. */
  entry: string;
  /** The statuses the stage may move from to the reported one (progress.rules' transitionProblem). */
  allowedFrom: StageStatus[];
  now: Date;
  expiresAt: Date;
}

const COLUMNS = 'resource_id, owner_id, stages, updated_at, expires_at';

/**
 * A report in one statement, so one round trip, and atomic: the upsert's row lock orders concurrent
 * reports of one resource, and each merges its stage into the map as the previous one left it, so none
 * is lost. A live row is changed only by its owner and only along an allowed transition; an expired
 * one is as good as absent, and the report starts it afresh. No row comes back when the report is
 * refused (the service reads the row to say why) — or, with `:channel`, the change is published in the
 * same statement, when the write commits.
 */
const reportSql = (notify: boolean) => `
  with written as (
    insert into resource_progress (${COLUMNS})
    values (:resourceId, :ownerId, :entry::jsonb, :now, :expiresAt)
    on conflict (resource_id) do update set
      owner_id = :ownerId,
      stages = case when resource_progress.expires_at > :now then resource_progress.stages || :entry::jsonb else :entry::jsonb end,
      updated_at = :now,
      expires_at = :expiresAt
    where resource_progress.expires_at <= :now
       or (resource_progress.owner_id = :ownerId
           and coalesce(resource_progress.stages -> :stage::text ->> 'status', 'PENDING') = any(:allowedFrom::text[]))
    returning ${COLUMNS}
  )
  select ${COLUMNS}${notify ? ', pg_notify(:channel::text, resource_id)' : ''} from written`;

const REPORT = statement<ProgressReport, ProgressRow>(reportSql(false), { prepare: true });
const REPORT_AND_NOTIFY = statement<ProgressReport & { channel: string }, ProgressRow>(reportSql(true), { prepare: true });

const READ_CURRENT = statement<{ resourceId: string }, ProgressRow>(`
  select ${COLUMNS} from resource_progress where resource_id = :resourceId`);

const READ_LIVE = statement<{ resourceId: string; now: Date }, ProgressRow>(`
  select ${COLUMNS} from resource_progress where resource_id = :resourceId and expires_at > :now`);

/** Where resource_progress is read and written. */
export const progressStore = {
  /**
   * Applies the report; undefined when the row is live and belongs to another owner or its stage may
   * not move to the reported status. With a channel, NOTIFYs it with the resource id once written.
   */
  report: (em: EntityManager, report: ProgressReport, channel: string | null) =>
    channel === null ? firstRow(em, REPORT, report) : firstRow(em, REPORT_AND_NOTIFY, { ...report, channel }),

  /** The row, expired or not. */
  readCurrent: (em: EntityManager, resourceId: string) => firstRow(em, READ_CURRENT, { resourceId }),

  readLive: (em: EntityManager, resourceId: string, now: Date) => firstRow(em, READ_LIVE, { resourceId, now }),

  purgeExpired: (em: EntityManager, now: Date) => em.nativeDelete(ResourceProgressRecord, { expiresAt: { $lte: now } }),
};
