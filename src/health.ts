import type { MikroORM } from '@mikro-orm/core';

export type CheckResult = { status: 'up' | 'down'; ms: number; error?: string };

/** Runs each readiness check with a deadline, so a hung dependency reads as down rather than hanging the probe. */
export async function runChecks(checks: Record<string, () => Promise<void>>, timeoutMs = 2000) {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs))),
        ]);
        return [name, { status: 'up', ms: round(performance.now() - started) }];
      } catch (error) {
        const message = error instanceof Error ? error.message : 'failed';
        return [name, { status: 'down', ms: round(performance.now() - started), error: message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const results = Object.fromEntries(entries);
  const ready = entries.every(([, r]) => r.status === 'up');
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'unavailable', checks: results } };
}

export const databaseCheck = (orm: MikroORM) => async () => {
  const result = await orm.checkConnection();
  if (!result.ok) throw new Error('database unreachable');
};

const round = (ms: number) => Math.round(ms * 100) / 100;
