import { type Budget, budgetOf } from '@tollgate/client';
import { useSyncExternalStore } from 'react';

/** The X-RateLimit-* headers of the last response that had them: the tightest budget that request touched. */
export interface LastBudget extends Budget {
  operation: string;
}

let last: LastBudget | null = null;
const listeners = new Set<() => void>();

export function recordBudget(headers: Headers, body: unknown) {
  const budget = budgetOf(headers);
  if (!budget) return;
  last = { operation: operationName(body), ...budget };
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
