import type { Budget } from './rate-limit.store.js';

/**
 * What the rate limits did during one request, for the X-RateLimit-* headers and the 429 decision.
 * The rate-limit directive is its one writer; the response plugin reads it. It is an object on the
 * context, not top-level fields, because Apollo hands resolvers a shallow copy of the context.
 */
export class RequestRateLimits {
  #tightest: Budget | null = null;
  #retryAfter: number | null = null;

  /** A field was counted against `budget`; `refusedForSeconds` when the field was refused. */
  counted(budget: Budget, refusedForSeconds?: number): void {
    if (!this.#tightest || budget.remaining < this.#tightest.remaining) this.#tightest = budget;
    if (refusedForSeconds !== undefined) this.#retryAfter = Math.max(this.#retryAfter ?? 0, refusedForSeconds);
  }

  /** The budget with the least left, of every field counted so far. */
  get tightest(): Budget | null {
    return this.#tightest;
  }

  /** Seconds until every refused field may be asked again; null when nothing was refused. */
  get retryAfter(): number | null {
    return this.#retryAfter;
  }
}
