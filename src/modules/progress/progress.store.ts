import type { EntityManager } from '@mikro-orm/postgresql';
import { inKeyOrder } from '../../db/batched-read.js';
import { firstRow, type PgTime, rows, type Statement, statement } from '../../db/sql.js';
import { ACTIVE_SESSION_SQL, type ActiveRow, activeSessionsSql, type SessionRead } from '../session/session.store.js';
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

/** What a report statement is made for: publishing on a channel, and a worker's key to check again. */
type ReportVariant = { notify: boolean; byKey: boolean };

/** The worker's key, while it is live: no row once revoked. */
const LIVE_KEY =
  'live_key as (select id from service_account where id = :serviceAccountId and key_hash = :keyHash and revoked_at is null)';

/** After the written row's columns: its NOTIFY, and whether the reporter's key was live. */
const reportOutcomeColumns = ({ notify, byKey }: ReportVariant) =>
  `${notify ? ', case when written.resource_id is not null then pg_notify(:channel::text, written.resource_id) end as notified' : ''},
         ${byKey ? 'exists (select 1 from live_key)' : 'true'} as key_live`;

/** A prepared statement for each variant, by `${notify}/${byKey}`. */
const byVariant = <P extends object, R>(sql: (variant: ReportVariant) => string) =>
  new Map<string, Statement<P, R>>(
    [false, true].flatMap((notify) =>
      [false, true].map((byKey): [string, Statement<P, R>] => [
        `${notify}/${byKey}`,
        statement<P, R>(sql({ notify, byKey }), { prepare: true }),
      ]),
    ),
  );
const variantOf = (channel: string | null, reporter: Reporter) => `${channel !== null}/${reporter !== null}`;

/**
 * A report in one statement, so one round trip, and atomic: the upsert's row lock orders concurrent
 * reports of one resource, and each merges its stage into the map as the previous one left it, so none
 * is lost. A live row is changed only by its owner and only along an allowed transition; an expired
 * one is as good as absent, and the report starts it afresh. With `:channel`, the change is published
 * in the same statement, when the write commits.
 *
 * Made for a worker (`byKey`), the statement also checks that the worker's key is still live: the gate may
 * have let the worker through on this process's memory of the key (ServiceAccounts.authenticate), and a
 * key revoked since, on any instance, must not write. It always returns one row: the written columns, or
 * nulls when nothing was written, with `key_live` saying whether the key was what refused it.
 */
const reportSql = ({ notify, byKey }: ReportVariant) => `
  with ${byKey ? `${LIVE_KEY}, ` : ''}written as (
    insert into resource_progress (${COLUMNS})
    ${
      byKey
        ? 'select :resourceId::text, :ownerId::uuid, :entry::jsonb, :now::timestamptz, :expiresAt::timestamptz from live_key'
        : 'values (:resourceId, :ownerId, :entry::jsonb, :now, :expiresAt)'
    }
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
  select written.*${reportOutcomeColumns({ notify, byKey })}
  from (select 1) as one left join written on true`;

/** Who makes a report: a worker by its key (checked again in the statement), or an admin (checked by the gate). */
export type Reporter = { serviceAccountId: string; keyHash: string } | null;

type ReportResult = { [K in keyof ProgressRow]: ProgressRow[K] | null } & { key_live: boolean };

const REPORTS = byVariant<ProgressReport & { channel?: string; serviceAccountId?: string; keyHash?: string }, ReportResult>(
  reportSql,
);

/**
 * The reports of concurrent requests by one reporter as one statement (see db/batched-read.ts): REPORT for
 * each key of `unnest(...)`, whose resources must be distinct (one upsert may not change a row twice). The
 * rows are locked in resource order, so two batches cannot deadlock on each other. One row per key, with
 * its 1-based position in `ord`, shaped as REPORT's.
 */
const reportManySql = ({ notify, byKey }: ReportVariant) => `
  with k as (
    select * from unnest(:resourceIds::text[], :ownerIds::uuid[], :stages::text[], :entries::jsonb[],
                         :allowedFroms::text[], :nows::timestamptz[], :expiresAts::timestamptz[])
      with ordinality as r(resource_id, owner_id, stage, entry, allowed_from, at, until, ord)
  ), ${byKey ? `${LIVE_KEY}, ` : ''}written as (
    insert into resource_progress (${COLUMNS})
    select k.resource_id, k.owner_id, k.entry, k.at, k.until from k${byKey ? ' where exists (select 1 from live_key)' : ''}
    order by k.resource_id
    on conflict (resource_id) do update set
      owner_id = excluded.owner_id,
      stages = case when resource_progress.expires_at > excluded.updated_at
                    then resource_progress.stages || excluded.stages else excluded.stages end,
      updated_at = excluded.updated_at,
      expires_at = excluded.expires_at
    where resource_progress.expires_at <= excluded.updated_at
       or (resource_progress.owner_id = excluded.owner_id
           and coalesce(resource_progress.stages -> (select k.stage from k where k.resource_id = excluded.resource_id) ->> 'status',
                        'PENDING') = any((select k.allowed_from from k where k.resource_id = excluded.resource_id)::text[]))
    returning ${COLUMNS}
  )
  select k.ord, written.*${reportOutcomeColumns({ notify, byKey })}
  from k left join written on written.resource_id = k.resource_id`;

type ManyReports = {
  resourceIds: string[];
  ownerIds: string[];
  stages: string[];
  entries: string[];
  allowedFroms: string[];
  nows: string[];
  expiresAts: string[];
  channel?: string;
  serviceAccountId?: string;
  keyHash?: string;
};

const REPORTS_MANY = byVariant<ManyReports, ReportResult & { ord: string }>(reportManySql);

/** What one report came to: the row written, or why nothing was. */
export type ReportOutcome = ProgressRow | 'refused' | 'keyRevoked';

const outcomeOf = (row: ReportResult | undefined): ReportOutcome => {
  if (!row?.key_live) return 'keyRevoked';
  if (row.resource_id === null) return 'refused';
  return row as ProgressRow;
};

const READ_CURRENT = statement<{ resourceId: string }, ProgressRow>(`
  select ${COLUMNS} from resource_progress where resource_id = :resourceId`);

const READ_LIVE = statement<{ resourceId: string; now: Date }, ProgressRow>(`
  select ${COLUMNS} from resource_progress where resource_id = :resourceId and expires_at > :now`);

/** The live row as READ_LIVE_AS_VIEWER returns it beside the viewer: all null when there is none. */
export interface ProgressAlongRow extends ActiveRow {
  progress_resource_id: string | null;
  progress_owner_id: string | null;
  progress_stages: StageMap | null;
  progress_updated_at: PgTime | null;
  progress_expires_at: PgTime | null;
}

const PROGRESS_ALONG = `p.resource_id as progress_resource_id, p.owner_id as progress_owner_id,
  p.stages as progress_stages, p.updated_at as progress_updated_at, p.expires_at as progress_expires_at`;

/**
 * READ_LIVE in the statement that checks the viewer's session (SessionService.findActiveWith): a
 * resourceProgress query is one round trip, not two, and those of concurrent requests share one. No row
 * at all when the session is not alive.
 */
export const READ_LIVE_AS_VIEWER: SessionRead<{ resourceId: string }, ProgressAlongRow> = {
  one: statement(`
    with viewer as (${ACTIVE_SESSION_SQL})
    select viewer.*, ${PROGRESS_ALONG}
    from viewer left join resource_progress p on p.resource_id = :resourceId and p.expires_at > :now`),
  many: statement(`
    with viewer as (${activeSessionsSql(
      'unnest(:sessionIds::uuid[], :userIds::uuid[], :resourceIds::text[]) with ordinality as k(session_id, user_id, resource_id, ord)',
      ', k.resource_id as along_resource_id',
    )})
    select viewer.*, ${PROGRESS_ALONG}
    from viewer left join resource_progress p on p.resource_id = viewer.along_resource_id and p.expires_at > :now`),
};

/** The progress columns of a READ_LIVE_AS_VIEWER row, as a ProgressRow; undefined when there was none. */
export const progressOfAlongRow = (row: ProgressAlongRow): ProgressRow | undefined =>
  row.progress_resource_id === null
    ? undefined
    : {
        resource_id: row.progress_resource_id,
        owner_id: row.progress_owner_id!,
        stages: row.progress_stages!,
        updated_at: row.progress_updated_at!,
        expires_at: row.progress_expires_at!,
      };

const PURGE_EXPIRED = statement<{ now: Date; limit: number }, { n: number }>(`
  with doomed as (select resource_id from resource_progress where expires_at <= :now limit :limit for update skip locked),
  deleted as (delete from resource_progress where resource_id in (select resource_id from doomed) returning 1)
  select count(*)::int as n from deleted`);

/** Where resource_progress is read and written. */
export const progressStore = {
  /**
   * Applies the report: the row written, or `refused` when the row is live and belongs to another owner or
   * its stage may not move to the reported status, or `keyRevoked` when the reporter's key is no longer
   * live. With a channel, NOTIFYs it with the resource id once written.
   */
  async report(em: EntityManager, report: ProgressReport, channel: string | null, reporter: Reporter): Promise<ReportOutcome> {
    const st = REPORTS.get(variantOf(channel, reporter))!;
    return outcomeOf(await firstRow(em, st, { ...report, ...(channel === null ? {} : { channel }), ...(reporter ?? {}) }));
  },

  /** `report` for many reports by one reporter, of distinct resources, in one statement: an outcome per report, in order. */
  async reportMany(
    em: EntityManager,
    reports: readonly ProgressReport[],
    channel: string | null,
    reporter: Reporter,
  ): Promise<ReportOutcome[]> {
    const st = REPORTS_MANY.get(variantOf(channel, reporter))!;
    const found = await rows(em, st, {
      resourceIds: reports.map((r) => r.resourceId),
      ownerIds: reports.map((r) => r.ownerId),
      stages: reports.map((r) => r.stage),
      entries: reports.map((r) => r.entry),
      // Each report's list as an array literal, cast back to text[] per row (unnest flattens a 2-D array).
      allowedFroms: reports.map((r) => `{${r.allowedFrom.join(',')}}`),
      nows: reports.map((r) => r.now.toISOString()),
      expiresAts: reports.map((r) => r.expiresAt.toISOString()),
      ...(channel === null ? {} : { channel }),
      ...(reporter ?? {}),
    });
    // Every key has its row (the left join), so every report its outcome.
    return inKeyOrder(found, reports.length, outcomeOf) as ReportOutcome[];
  },

  /** The row, expired or not. */
  readCurrent: (em: EntityManager, resourceId: string) => firstRow(em, READ_CURRENT, { resourceId }),

  readLive: (em: EntityManager, resourceId: string, now: Date) => firstRow(em, READ_LIVE, { resourceId, now }),

  /** Deletes at most `limit` expired records; returns how many. */
  purgeExpired: async (em: EntityManager, now: Date, limit: number) =>
    (await firstRow(em, PURGE_EXPIRED, { now, limit }))?.n ?? 0,
};
