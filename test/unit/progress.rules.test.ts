import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  pendingStage,
  reportProblem,
  rollUp,
  STAGES,
  stagesInOrder,
  StageStatus,
  transitionProblem,
  type StageState,
} from '../../src/modules/progress/progress.rules.js';

const state = (status: StageStatus, percent: number | null = null): StageState => ({
  status,
  percent,
  message: null,
  updatedAt: null,
});
const { PENDING, PROCESSING, COMPLETED, FAILED } = StageStatus;

describe('rollUp, by example', () => {
  it.each([
    [[PENDING, PENDING, PENDING, PENDING, PENDING], PENDING, 0],
    [[COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED], COMPLETED, 100],
    [[COMPLETED, PENDING, PENDING, PENDING, PENDING], PROCESSING, 20],
    [[COMPLETED, FAILED, PENDING, PENDING, PENDING], FAILED, 20],
    [[COMPLETED, COMPLETED, COMPLETED, COMPLETED, FAILED], FAILED, 80],
  ])('%j rolls up to %s at %d%%', (statuses, overall, percent) => {
    expect(rollUp(statuses.map((s) => state(s)))).toEqual({ overallStatus: overall, percentComplete: percent });
  });

  it('counts a PROCESSING stage at its reported percent, or 0', () => {
    expect(rollUp([state(COMPLETED), state(PROCESSING, 50), state(PROCESSING), state(PENDING), state(PENDING)])).toEqual({
      overallStatus: PROCESSING,
      percentComplete: 30,
    });
  });
});

describe('rollUp, generated', () => {
  const stageState = fc.record({
    status: fc.constantFrom(PENDING, PROCESSING, COMPLETED, FAILED),
    percent: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
    message: fc.constant(null),
    updatedAt: fc.constant(null),
  });
  const five = fc.array(stageState, { minLength: 5, maxLength: 5 });

  const statusesOf = (stages: StageState[]) => stages.map((s) => s.status);

  it('is FAILED exactly when some stage failed', () => {
    fc.assert(
      fc.property(five, (stages) => {
        expect(rollUp(stages).overallStatus === FAILED).toBe(statusesOf(stages).includes(FAILED));
      }),
    );
  });

  it('is COMPLETED exactly when all five completed, and PENDING exactly when none has started', () => {
    fc.assert(
      fc.property(five, (stages) => {
        const { overallStatus } = rollUp(stages);
        expect(overallStatus === COMPLETED).toBe(statusesOf(stages).every((s) => s === COMPLETED));
        expect(overallStatus === PENDING).toBe(statusesOf(stages).every((s) => s === PENDING));
      }),
    );
  });

  it('keeps percentComplete within 0..100, at 100 when complete and at 0 when nothing has started', () => {
    fc.assert(
      fc.property(five, (stages) => {
        const { percentComplete, overallStatus } = rollUp(stages);
        expect(percentComplete).toBeGreaterThanOrEqual(0);
        expect(percentComplete).toBeLessThanOrEqual(100);
        if (overallStatus === COMPLETED) expect(percentComplete).toBe(100);
        if (overallStatus === PENDING) expect(percentComplete).toBe(0);
      }),
    );
  });

  it('counts each stage as a fifth: completing a PENDING stage adds 20, whatever the others', () => {
    fc.assert(
      fc.property(five, fc.integer({ min: 0, max: 4 }), (stages, i) => {
        const before = stages.map((s, j) => (j === i ? state(PENDING) : s));
        const after = stages.map((s, j) => (j === i ? state(COMPLETED) : s));
        expect(rollUp(after).percentComplete - rollUp(before).percentComplete).toBeCloseTo(20, 1);
      }),
    );
  });

  it('does not depend on the order of the stages', () => {
    fc.assert(
      fc.property(five, fc.integer({ min: 0, max: 4 }), (stages, shift) => {
        const rotated = [...stages.slice(shift), ...stages.slice(0, shift)];
        expect(rollUp(rotated)).toEqual(rollUp(stages));
      }),
    );
  });
});

describe('stagesInOrder', () => {
  it('always gives all five stages in pipeline order, PENDING where nothing was reported', () => {
    const listed = stagesInOrder({ GRAPH: state(COMPLETED), INGESTION: state(PROCESSING, 10) });
    expect(listed.map((s) => s.stage)).toEqual(STAGES);
    expect(listed.map((s) => s.status)).toEqual([PROCESSING, PENDING, PENDING, COMPLETED, PENDING]);
    expect(listed[1]).toMatchObject(pendingStage);
  });
});

describe('transitionProblem', () => {
  it('allows forward moves, repeats and restarts of FAILED stages, and refuses the rest', () => {
    const allowed = [
      [PENDING, PROCESSING],
      [PENDING, COMPLETED],
      [PENDING, FAILED],
      [PROCESSING, PROCESSING],
      [PROCESSING, COMPLETED],
      [PROCESSING, FAILED],
      [COMPLETED, COMPLETED],
      [FAILED, PENDING],
      [FAILED, PROCESSING],
      [FAILED, COMPLETED],
    ];
    const refused = [
      [PROCESSING, PENDING],
      [COMPLETED, PROCESSING],
      [COMPLETED, PENDING],
      [COMPLETED, FAILED],
    ];
    for (const [from, to] of allowed) expect(transitionProblem(from!, to!), `${from}→${to}`).toBeNull();
    for (const [from, to] of refused) expect(transitionProblem(from!, to!), `${from}→${to}`).not.toBeNull();
  });
});

describe('reportProblem', () => {
  it('bounds percent, message and resource ids', () => {
    expect(reportProblem({ resourceId: 'doc-1', percent: 100, message: 'x'.repeat(500) })).toBeNull();
    expect(reportProblem({ resourceId: 'doc-1', percent: 100.5 })?.[0]).toBe('percent');
    expect(reportProblem({ resourceId: 'doc-1', percent: -1 })?.[0]).toBe('percent');
    expect(reportProblem({ resourceId: 'doc-1', message: 'x'.repeat(501) })?.[0]).toBe('message');
    expect(reportProblem({ resourceId: 'has space' })?.[0]).toBe('resourceId');
    expect(reportProblem({ resourceId: 'x'.repeat(129) })?.[0]).toBe('resourceId');
  });
});
