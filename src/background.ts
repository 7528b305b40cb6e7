import type { Logger } from './logger.js';

/** Work a request starts but does not wait for; shutdown waits for it before closing the database. */
export interface BackgroundTasks {
  run(label: string, task: () => Promise<unknown>): void;
  drain(): Promise<void>;
}

export function createBackgroundTasks(log: Logger): BackgroundTasks {
  const pending = new Set<Promise<unknown>>();
  return {
    run(label, task) {
      const p = task()
        .catch((err: unknown) => log.error({ err, task: label }, 'background task failed'))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
