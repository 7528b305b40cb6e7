/** The pure rules of resource progress: stage order, the roll-up, and which reports are allowed. */

export enum ProcessingStage {
  INGESTION = 'INGESTION',
  QUALITY = 'QUALITY',
  TAXONOMY = 'TAXONOMY',
  GRAPH = 'GRAPH',
  EMBEDDING = 'EMBEDDING',
}

export enum StageStatus {
  PENDING = 'PENDING',
  PROCESSING = 'PROCESSING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

/** Pipeline order: stages are always reported in it, all five. */
export const STAGES: readonly ProcessingStage[] = [
  ProcessingStage.INGESTION,
  ProcessingStage.QUALITY,
  ProcessingStage.TAXONOMY,
  ProcessingStage.GRAPH,
  ProcessingStage.EMBEDDING,
];

export const MESSAGE_MAX = 500;

export interface StageState {
  status: StageStatus;
  percent: number | null;
  message: string | null;
  updatedAt: string | null;
}

export type StageMap = Partial<Record<ProcessingStage, StageState>>;

export const pendingStage: StageState = { status: StageStatus.PENDING, percent: null, message: null, updatedAt: null };

/** All five stages in pipeline order, PENDING where nothing was reported. */
export const stagesInOrder = (stages: StageMap) => STAGES.map((stage) => ({ stage, ...(stages[stage] ?? pendingStage) }));

/** How much a stage counts towards percentComplete. */
function stagePercent(state: StageState): number {
  switch (state.status) {
    case StageStatus.COMPLETED:
      return 100;
    case StageStatus.PENDING:
      return 0;
    default:
      return state.percent ?? 0;
  }
}

/**
 * FAILED if any stage failed; COMPLETED when all five completed; PENDING when none has started;
 * PROCESSING otherwise (work has begun and not finished, a mix of COMPLETED and PENDING included).
 * percentComplete is the mean of the five stages' percents.
 */
export function rollUp(states: readonly StageState[]): { overallStatus: StageStatus; percentComplete: number } {
  const statuses = states.map((s) => s.status);
  const overallStatus = statuses.includes(StageStatus.FAILED)
    ? StageStatus.FAILED
    : statuses.every((s) => s === StageStatus.COMPLETED)
      ? StageStatus.COMPLETED
      : statuses.every((s) => s === StageStatus.PENDING)
        ? StageStatus.PENDING
        : StageStatus.PROCESSING;
  const percentComplete = states.reduce((sum, s) => sum + stagePercent(s), 0) / states.length;
  return { overallStatus, percentComplete: Math.round(percentComplete * 100) / 100 };
}

const rank: Record<StageStatus, number> = {
  [StageStatus.PENDING]: 0,
  [StageStatus.PROCESSING]: 1,
  [StageStatus.COMPLETED]: 2,
  [StageStatus.FAILED]: 2,
};

/**
 * Why moving a stage from `from` to `to` is refused, or null. A stage moves forward
 * (PENDING → PROCESSING → COMPLETED or FAILED) or repeats its status with new figures; a FAILED
 * stage may be restarted; a COMPLETED one is final.
 */
export function transitionProblem(from: StageStatus, to: StageStatus): string | null {
  if (from === StageStatus.FAILED || from === to) return null;
  if (from === StageStatus.COMPLETED) return `A COMPLETED stage cannot become ${to}.`;
  if (rank[to] < rank[from]) return `A stage cannot move back from ${from} to ${to}.`;
  return null;
}

/** Why a report's figures are unacceptable, as [field, reason], or null. */
export function reportProblem(report: {
  percent?: number | null;
  message?: string | null;
  resourceId: string;
}): [string, string] | null {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(report.resourceId)) {
    return ['resourceId', 'resourceId must be 1 to 128 characters of letters, digits, ".", "_", ":" and "-".'];
  }
  if (report.percent != null && !(Number.isFinite(report.percent) && report.percent >= 0 && report.percent <= 100)) {
    return ['percent', 'percent must be between 0 and 100.'];
  }
  if (report.message != null && [...report.message].length > MESSAGE_MAX) {
    return ['message', `message must be at most ${MESSAGE_MAX} characters.`];
  }
  return null;
}
