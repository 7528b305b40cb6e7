import type { Logger } from './logger.js';

/** Work a request starts but does not wait for; shutdown waits for it before closing the database. */
export interface BackgroundTasks {
  run(label: string, task: () => Promise<unknown>): void;
  /**
   * Like run, but started only after the current request has answered: a request's remaining steps (the
   * error or result, serialised and written) are promise continuations, which all run before the event
   * loop's check phase. For work that only some answers do — a known account's failed sign-in records an
   * event, an unknown one has nothing to record — so the time to the answer cannot tell them apart.
   */
  afterResponse(label: string, task: () => Promise<unknown>): void;
  drain(): Promise<void>;
}

export function createBackgroundTasks(log: Logger): BackgroundTasks {
  const pending = new Set<Promise<unknown>>();
  const run = (label: string, task: () => Promise<unknown>) => {
    const p = task()
      .catch((err: unknown) => log.error({ err, task: label }, 'background task failed'))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  return {
    run,
    afterResponse(label, task) {
      // Counted from now, so drain() at shutdown waits for it too.
      run(label, () => new Promise<void>((resolve) => setImmediate(resolve)).then(task));
    },
    async drain() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
