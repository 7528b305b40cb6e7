/** The X-RateLimit-* headers of one response: the tightest budget that request touched. */
export interface Budget {
  limit: number;
  remaining: number;
  resetAt: Date;
  /** Seconds to wait, set when the whole request was refused (HTTP 429). */
  retryAfter: number | null;
}

/** The budget a response reported, or null when it carried none (a field with no limit). */
export function budgetOf(headers: { get(name: string): string | null }): Budget | null {
  const limit = headers.get('x-ratelimit-limit');
  if (limit === null) return null;
  const retryAfter = headers.get('retry-after');
  return {
    limit: Number(limit),
    remaining: Number(headers.get('x-ratelimit-remaining')),
    resetAt: new Date(Number(headers.get('x-ratelimit-reset')) * 1000),
    retryAfter: retryAfter === null ? null : Number(retryAfter),
  };
}

/** "42 s", "3 min", "2 h": a wait for people to read. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.ceil(minutes / 60)} h`;
}
