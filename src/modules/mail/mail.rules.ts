/** Pure decisions of the mail outbox: when to try again, when to give up, what a link looks like. */

/** Retries back off exponentially from `baseSeconds`, capped, never sooner than half the step (equal jitter). */
export function retryDelayMs(attempt: number, baseSeconds: number, random: number, capSeconds = 6 * 3600): number {
  const step = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1)) * 1000;
  const r = Math.min(1, Math.max(0, random));
  return Math.round(step / 2 + (step / 2) * r);
}

export type AfterFailure = { status: 'pending'; nextAttemptAt: Date } | { status: 'dead' };

/** After the `attempts`-th failed try: wait and retry, or stop at the limit. */
export function afterFailure(
  attempts: number,
  limits: { maxAttempts: number; retryBaseSeconds: number },
  now: Date,
  random: number,
): AfterFailure {
  if (attempts >= limits.maxAttempts) return { status: 'dead' };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, limits.retryBaseSeconds, random)) };
}

/** The link a mail carries: the configured template with the token, URL-encoded, where {token} is. */
export const linkFor = (template: string, token: string) => template.replaceAll('{token}', encodeURIComponent(token));
