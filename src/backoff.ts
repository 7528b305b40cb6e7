/**
 * The wait before reconnect attempt `attempt` (1, 2, …): exponential from baseMs, capped at maxMs,
 * with "equal jitter" (a random half on top of a fixed half), so a fleet that lost a dependency at
 * the same instant does not come back at it in lockstep, and no wait is ever zero.
 */
export function capped(attempt: number, { baseMs, maxMs }: { baseMs: number; maxMs: number }, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
