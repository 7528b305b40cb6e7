import type { MikroORM } from '@mikro-orm/core';

/** What a check may say beside its status, for an operator: how a dependency is reached, and which node(s) serve. */
export type CheckDetails = { mode?: string; serving?: string[] };

export type CheckResult = { status: 'up' | 'down' | 'degraded'; ms: number; error?: string } & CheckDetails;

/** A dependency the service cannot serve without is critical; one it can limp along without is not. */
// biome-ignore lint/suspicious/noConfusingVoidType: most checks are async functions that return nothing.
export type Check = { run: () => Promise<void | CheckDetails>; critical: boolean };

/**
 * Runs each readiness check with a deadline, so a hung dependency reads as down rather than hanging
 * the probe. A failed critical check makes the instance unready (503); a failed non-critical one
 * reports it degraded while the instance keeps taking traffic.
 */
export async function runChecks(checks: Record<string, Check>, timeoutMs = 2000) {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, { run: check, critical }]): Promise<[string, CheckResult]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const details = await Promise.race([
          check(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs))),
        ]);
        return [name, { status: 'up', ms: round(performance.now() - started), ...details }];
      } catch (error) {
        const message = error instanceof Error ? error.message : 'failed';
        return [name, { status: critical ? 'down' : 'degraded', ms: round(performance.now() - started), error: message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const results = Object.fromEntries(entries);
  const ready = entries.every(([, r]) => r.status !== 'down');
  const degraded = entries.some(([, r]) => r.status === 'degraded');
  return {
    status: ready ? 200 : 503,
    body: { status: ready ? (degraded ? 'degraded' : 'ready') : 'unavailable', checks: results },
  };
}

export const databaseCheck = (orm: MikroORM): Check => ({
  critical: true,
  run: async () => {
    const result = await orm.checkConnection();
    if (!result.ok) throw new Error('database unreachable');
  },
});

/**
 * Without Redis the rate limits fall back to per-process counters: degraded, not down, with the reason.
 * Up, it says how Redis is reached (standalone, sentinel, cluster) and which node(s) serve: after a
 * Sentinel failover, the new master.
 */
export const redisCheck = (redis: {
  client: { ping(): Promise<unknown> };
  problem(): string | null;
  serving(): { mode: string; nodes: string[] };
}): Check => ({
  critical: false,
  run: async () => {
    const problem = redis.problem();
    if (problem) throw new Error(`redis unreachable: ${problem}`);
    try {
      await redis.client.ping();
    } catch (error) {
      throw new Error(`redis unreachable: ${error instanceof Error ? error.message : 'ping failed'}`);
    }
    const { mode, nodes } = redis.serving();
    return { mode, serving: nodes };
  },
});

/** Without its listening connection an instance misses other instances' changes: degraded, not down. */
export const busCheck = (bus: { problem(): string | null }): Check => ({
  critical: false,
  run: async () => {
    const problem = bus.problem();
    if (problem) throw new Error(`change bus disconnected: ${problem}`);
  },
});

const round = (ms: number) => Math.round(ms * 100) / 100;

/** An open mail circuit means mail waits in the outbox: degraded, not down. */
export const mailCheck = (circuit: () => 'closed' | 'open' | 'halfOpen'): Check => ({
  critical: false,
  run: async () => {
    const state = circuit();
    if (state !== 'closed') throw new Error(`smtp circuit ${state}: mail waits in the outbox`);
  },
});
