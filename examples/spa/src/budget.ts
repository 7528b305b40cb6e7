import { useSyncExternalStore } from 'react';

/** The X-RateLimit-* headers of the last response that had them: the tightest budget that request touched. */
export interface LastBudget {
  operation: string;
  limit: number;
  remaining: number;
  resetAt: Date;
  /** Set when the whole request was refused (HTTP 429). */
  retryAfter: number | null;
}

let last: LastBudget | null = null;
const listeners = new Set<() => void>();

export function recordBudget(headers: Headers, body: unknown) {
  const limit = headers.get('x-ratelimit-limit');
  if (limit === null) return;
  const retryAfter = headers.get('retry-after');
  last = {
    operation: operationName(body),
    limit: Number(limit),
    remaining: Number(headers.get('x-ratelimit-remaining')),
    resetAt: new Date(Number(headers.get('x-ratelimit-reset')) * 1000),
    retryAfter: retryAfter === null ? null : Number(retryAfter),
  };
  for (const listener of listeners) listener();
}

export function useLastBudget(): LastBudget | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    () => last,
  );
}

function operationName(body: unknown): string {
  try {
    return (JSON.parse(String(body)) as { operationName?: string }).operationName ?? 'anonymous';
  } catch {
    return 'unknown';
  }
}
