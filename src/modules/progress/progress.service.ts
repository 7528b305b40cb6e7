import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../clock.js';
import { badInput, conflict, unauthenticated } from '../../errors.js';
import { Tier } from '../user/tier.js';
import { type BatchableRead, batchedRead, writeInRounds } from '../../db/batched-read.js';
import { FOREIGN_KEY_VIOLATION, pgDate, sqlState } from '../../db/sql.js';
import type { ChangeBus } from '../realtime/change-bus.js';
import type { AlongRead, SessionService } from '../session/session.service.js';
import {
  type ProgressReport,
  progressOfAlongRow,
  progressStore,
  READ_LIVE_AS_VIEWER,
  type ProgressRow,
  type ReportOutcome,
  type Reporter,
} from './progress.store.js';
import { reportProblem, rollUp, stagesInOrder, StageStatus, transitionProblem } from './progress.rules.js';
import type { ReportProgressInput, ResourceProgress } from './progress.types.js';
import { isUuid } from '../../ids.js';

export interface ProgressService {
  /**
   * `reporter`: the worker making the report, whose key the statement checks again; null for an admin.
   * UNAUTHENTICATED, with nothing written, when the worker's key has been revoked.
   */
  report(em: EntityManager, input: ReportProgressInput, reporter: Reporter): Promise<ResourceProgress>;
  /** The progress, or null when it is unknown, expired, or not the reader's to see: one answer for all three. */
  read(em: EntityManager, resourceId: string, reader: { id: string; tier: Tier }): Promise<ResourceProgress | null>;
  /** `read` for the request's viewer, with the session check in the same statement (see progress.resolver's viewerWithProgress). */
  readAlong(resourceId: string): AlongRead<ResourceProgress | null>;
}

/** Admins read every resource; anyone else only their own. Null stands for "not yours" as for "unknown". */
const visibleTo = (row: ProgressRow | undefined, reader: { id: string; tier: Tier }) =>
  row && (reader.tier === Tier.ADMIN || row.owner_id === reader.id) ? toView(row) : null;

export function toView(row: ProgressRow): ResourceProgress {
  const stages = stagesInOrder(row.stages);
  return {
    resourceId: row.resource_id,
    ownerId: row.owner_id,
    ...rollUp(stages),
    stages: stages.map((s) => ({ ...s, updatedAt: s.updatedAt ? new Date(s.updatedAt) : null })),
    updatedAt: pgDate(row.updated_at),
    expiresAt: pgDate(row.expires_at),
  };
}

const MAX_ATTEMPTS = 8;

/** The statuses a stage may move from to `to`, by the one transition rule. */
const allowedFrom = new Map(
  Object.values(StageStatus).map((to) => [to, Object.values(StageStatus).filter((from) => transitionProblem(from, to) === null)]),
);

export function createProgressService(options: {
  clock: Clock;
  ttlSeconds: number;
  bus: ChangeBus;
  sessions: Pick<SessionService, 'findActiveWith'>;
}): ProgressService {
  const { clock, ttlSeconds, bus, sessions } = options;
  const read = async (em: EntityManager, resourceId: string, reader: { id: string; tier: Tier }) =>
    visibleTo(await progressStore.readLive(em, resourceId, clock()), reader);

  /** Why the database refused a report, from the row as it is now; null when it has since changed and a retry may pass. */
  async function refusal(em: EntityManager, input: ReportProgressInput, now: Date): Promise<Error | null> {
    const current = await progressStore.readCurrent(em, input.resourceId);
    // An expired record is as good as absent: the report starts a new one.
    const live = current && pgDate(current.expires_at) > now ? current : null;
    if (live && live.owner_id !== input.ownerId) return conflict('ownerId', 'This resource belongs to another owner.');
    const problem = transitionProblem(live?.stages[input.stage]?.status ?? StageStatus.PENDING, input.status);
    return problem ? badInput('status', problem) : null;
  }

  /** One reporter's writes: a report alone, or many reports of distinct resources in one statement. */
  const writesBy = (reporter: Reporter): BatchableRead<ProgressReport, ReportOutcome> => ({
    one: (em, report) => progressStore.report(em, report, bus.progressChannel, reporter),
    many: (em, reports) => progressStore.reportMany(em, reports, bus.progressChannel, reporter),
  });

  /**
   * The reports of concurrent requests by one reporter, one statement per turn of the event loop (see
   * db/batched-read.ts), in rounds of distinct resources; by reporter because the statement checks one
   * worker's key.
   */
  const batches = new LRUCache<string, (em: EntityManager, report: ProgressReport) => Promise<ReportOutcome | undefined>>({
    max: 1_000,
  });
  function batchFor(reporter: Reporter) {
    const key = reporter ? `${reporter.serviceAccountId}/${reporter.keyHash}` : 'admin';
    let batch = batches.get(key);
    if (!batch) {
      const writes = writesBy(reporter);
      batch = batchedRead<ProgressReport, ReportOutcome>({
        one: writes.one,
        many: (em, reports) => writeInRounds(em, reports, (report) => report.resourceId, writes),
      });
      batches.set(key, batch);
    }
    return batch;
  }

  /** One attempt at applying the report (see progressStore.report). */
  async function attempt(em: EntityManager, input: ReportProgressInput, now: Date, reporter: Reporter): Promise<ReportOutcome> {
    const percent =
      input.status === StageStatus.COMPLETED ? 100 : input.status === StageStatus.PENDING ? null : (input.percent ?? null);
    const state = { status: input.status, percent, message: input.message ?? null, updatedAt: now.toISOString() };
    const report: ProgressReport = {
      resourceId: input.resourceId,
      ownerId: input.ownerId,
      stage: input.stage,
      entry: JSON.stringify({ [input.stage]: state }),
      allowedFrom: allowedFrom.get(input.status) ?? [],
      now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    };
    // A batch gives every report an outcome (see progressStore.reportMany).
    return (await batchFor(reporter)(em, report))!;
  }

  return {
    async report(em, input, reporter) {
      const problem = reportProblem(input);
      if (problem) throw badInput(...problem);
      if (!isUuid(input.ownerId)) throw badInput('ownerId', 'ownerId must be a user id.');
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const now = clock();
        let written: Awaited<ReturnType<typeof attempt>>;
        try {
          written = await attempt(em, input, now, reporter);
        } catch (error) {
          if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw badInput('ownerId', 'ownerId is not a user.');
          throw error;
        }
        // The gate's answer for a key it does not know: the key gives no hint that it once worked.
        if (written === 'keyRevoked') throw unauthenticated('The access token is invalid or has expired.');
        if (written !== 'refused') {
          // A bus on Postgres heard of the change from the write itself.
          if (bus.progressChannel === null) await bus.publishProgress(written.resource_id);
          return toView(written);
        }
        const refused = await refusal(em, input, now);
        if (refused) throw refused;
      }
      throw conflict('resourceId', 'The resource is being updated too often; retry.');
    },

    read,

    readAlong(resourceId) {
      return {
        together: async (em, claims) => {
          const found = await sessions.findActiveWith(em, claims.sid, claims.sub, READ_LIVE_AS_VIEWER, { resourceId });
          return found && { active: found.active, along: visibleTo(progressOfAlongRow(found.row), found.active.user) };
        },
        alone: (em, { user }) => read(em, resourceId, user),
      };
    },
  };
}
