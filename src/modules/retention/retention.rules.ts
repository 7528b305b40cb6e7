/** How long each kind of row that grows with traffic is kept. Pure: the clock and the settings come in. */
export interface RetentionSettings {
  /** Security events, from when they happened. */
  securityEventDays: number;
  /** Sessions (and their refresh tokens), from when they ended: revoked, or past their absolute expiry. */
  endedSessionDays: number;
  /** Sent and dead outbox rows (bodies already cleared), from when they were queued. */
  finishedMailDays: number;
}

export interface Cutoffs {
  securityEventsBefore: Date;
  sessionsEndedBefore: Date;
  finishedMailBefore: Date;
  /** Expired rows with nothing to keep them for (email tokens, OAuth states, progress records) go at once. */
  expiredAt: Date;
}

const DAY_MS = 24 * 3600 * 1000;

export function cutoffsFor(now: Date, settings: RetentionSettings): Cutoffs {
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return {
    securityEventsBefore: daysAgo(settings.securityEventDays),
    sessionsEndedBefore: daysAgo(settings.endedSessionDays),
    finishedMailBefore: daysAgo(settings.finishedMailDays),
    expiredAt: now,
  };
}

/**
 * Runs `batch(limit)` until it deletes fewer than `limit` rows or `maxBatches` have run, yielding to the
 * event loop between batches. Each batch is its own short statement (its own transaction), so no lock
 * is held longer than one batch and a table of any size is purged under the statement timeout; what is
 * left after maxBatches waits for the next run.
 */
export async function inBatches(
  batch: (limit: number) => Promise<number>,
  { batchSize, maxBatches }: { batchSize: number; maxBatches: number },
): Promise<{ rows: number; batches: number }> {
  let rows = 0;
  let batches = 0;
  while (batches < maxBatches) {
    const n = await batch(batchSize);
    batches++;
    rows += n;
    if (n < batchSize) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { rows, batches };
}
