import { ForeignKeyConstraintViolationException, LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { AppError, badInput, ErrorCode } from '../../errors.js';
import { Tier } from '../user/tier.js';
import { User } from '../user/user.entity.js';
import type { ChangeBus } from './progress.bus.js';
import { ResourceProgressRecord } from './progress.entity.js';
import { reportProblem, rollUp, stagesInOrder, StageStatus, transitionProblem } from './progress.rules.js';
import type { ReportProgressInput, ResourceProgress } from './progress.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProgressService {
  report(em: EntityManager, input: ReportProgressInput): Promise<ResourceProgress>;
  /** The progress, or null when it is unknown, expired, or not the reader's to see: one answer for all three. */
  read(em: EntityManager, resourceId: string, reader: { id: string; tier: Tier }): Promise<ResourceProgress | null>;
  /** Deletes expired records; returns how many. */
  purgeExpired(em: EntityManager): Promise<number>;
}

export function toView(record: ResourceProgressRecord): ResourceProgress {
  const stages = stagesInOrder(record.stages);
  return {
    resourceId: record.resourceId,
    ownerId: record.owner.id,
    ...rollUp(stages),
    stages: stages.map((s) => ({ ...s, updatedAt: s.updatedAt ? new Date(s.updatedAt) : null })),
    updatedAt: record.updatedAt,
    expiresAt: record.expiresAt,
  };
}

export function createProgressService(options: { clock: Clock; ttlSeconds: number; bus: ChangeBus }): ProgressService {
  const { clock, ttlSeconds, bus } = options;

  async function write(em: EntityManager, input: ReportProgressInput): Promise<ResourceProgressRecord> {
    return em.transactional(async (tx) => {
      const now = clock();
      // The row lock serialises reports for one resource, so each transition is checked against the latest state.
      let record = await tx.findOne(ResourceProgressRecord, { resourceId: input.resourceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (record && record.expiresAt <= now) {
        tx.remove(record);
        await tx.flush();
        record = null;
      }
      if (!record) {
        record = tx.create(ResourceProgressRecord, {
          resourceId: input.resourceId,
          owner: tx.getReference(User, input.ownerId),
          stages: {},
          updatedAt: now,
          expiresAt: now,
        });
      } else if (record.owner.id !== input.ownerId) {
        throw new AppError(ErrorCode.CONFLICT, 'This resource belongs to another owner.', { field: 'ownerId' });
      }
      const current = record.stages[input.stage]?.status ?? StageStatus.PENDING;
      const problem = transitionProblem(current, input.status);
      if (problem) throw badInput('status', problem);
      const percent = input.status === StageStatus.COMPLETED ? 100 : input.status === StageStatus.PENDING ? null : (input.percent ?? null);
      record.stages = {
        ...record.stages,
        [input.stage]: { status: input.status, percent, message: input.message ?? null, updatedAt: now.toISOString() },
      };
      record.updatedAt = now;
      record.expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      return record;
    });
  }

  return {
    async report(em, input) {
      const problem = reportProblem(input);
      if (problem) throw badInput(...problem);
      if (!UUID.test(input.ownerId)) throw badInput('ownerId', 'ownerId must be a user id.');
      let record: ResourceProgressRecord;
      try {
        record = await write(em, input);
      } catch (error) {
        if (error instanceof ForeignKeyConstraintViolationException) throw badInput('ownerId', 'ownerId is not a user.');
        // Two first reports for one resource raced to insert it: the loser retries against the winner's row.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        em.clear();
        record = await write(em, input);
      }
      await bus.publishProgress(record.resourceId);
      return toView(record);
    },

    async read(em, resourceId, reader) {
      const record = await em.findOne(ResourceProgressRecord, { resourceId, expiresAt: { $gt: clock() } });
      if (!record) return null;
      if (reader.tier !== Tier.ADMIN && record.owner.id !== reader.id) return null;
      return toView(record);
    },

    purgeExpired(em) {
      return em.nativeDelete(ResourceProgressRecord, { expiresAt: { $lte: clock() } });
    },
  };
}
