import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutoffsFor, inBatches } from '../../src/modules/retention/retention.rules.js';

describe('cutoffsFor', () => {
  it('puts each cutoff its number of days before now, and expired rows at now', () => {
    const now = new Date('2026-12-08T00:00:00Z');
    expect(cutoffsFor(now, { securityEventDays: 400, endedSessionDays: 30, finishedMailDays: 0 })).toEqual({
      securityEventsBefore: new Date('2025-11-03T00:00:00Z'),
      sessionsEndedBefore: new Date('2026-11-08T00:00:00Z'),
      finishedMailBefore: now,
      expiredAt: now,
    });
  });
});

describe('inBatches', () => {
  it('deletes a backlog of any size in batches of at most batchSize, stopping at maxBatches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(5000),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 50 }),
        async (backlog, batchSize, maxBatches) => {
          let left = backlog;
          const asked: number[] = [];
          const result = await inBatches(
            async (limit) => {
              asked.push(limit);
              const n = Math.min(limit, left);
              left -= n;
              return n;
            },
            { batchSize, maxBatches },
          );
          expect(asked.every((limit) => limit === batchSize)).toBe(true);
          expect(result.batches).toBe(asked.length);
          expect(result.batches).toBeLessThanOrEqual(maxBatches);
          expect(result.rows).toBe(backlog - left);
          // It stops early only when the backlog is gone, and otherwise only at maxBatches.
          expect(left === 0 || result.batches === maxBatches).toBe(true);
          expect(result.rows).toBe(Math.min(backlog, batchSize * maxBatches));
        },
      ),
      { numRuns: 200 },
    );
  });
});
