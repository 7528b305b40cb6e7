import type { Budget } from './rate-limit.store.js';

/**
 * What the field limits counted during one request, for the X-RateLimit-* headers. The rate-limit
 * directive is its one writer; the response plugin reads it. (Whether to answer 429, and Retry-After,
 * come from the RATE_LIMITED errors themselves, which every throttle raises, not only field limits.) It
 * is an object on the context, not top-level fields, because Apollo hands resolvers a shallow copy.
 */
export class RequestRateLimits {
  #tightest: Budget | null = null;
  #pending: Map<string, unknown> | undefined;

  /** The directive's open batches of one field's resolutions, by field (see rate-limit.directive.ts count). */
  get pending(): Map<string, unknown> {
    this.#pending ??= new Map();
    return this.#pending;
  }

  /** A field was counted against `budget`. */
  counted(budget: Budget): void {
    if (!this.#tightest || budget.remaining < this.#tightest.remaining) this.#tightest = budget;
  }

  /** The budget with the least left, of every field counted so far. */
  get tightest(): Budget | null {
    return this.#tightest;
  }
}
