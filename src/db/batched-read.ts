import type { EntityManager } from '@mikro-orm/postgresql';

/** What `many` gives for a key whose own statement failed: that caller alone is rejected with `error`. */
export class KeyFailed {
  constructor(readonly error: unknown) {}
}

/** How one read runs: for a single key, and for many keys at once (results in the keys' order). */
export interface BatchableRead<K, R> {
  one(em: EntityManager, key: K): Promise<R | undefined>;
  many(em: EntityManager, keys: readonly K[]): Promise<(R | undefined | KeyFailed)[]>;
}

/** Keys per statement at most; a larger batch is split. */
const MAX_KEYS = 100;

/**
 * Calls of one read made by concurrent requests in the same turn of the event loop run as one statement.
 * Under load, each turn of the loop reads several requests off their sockets and each one reaches its
 * statement before the loop turns again; a round trip to Postgres costs the process more CPU than the
 * rest of a cheap request (the write and read system calls, and the other processes they wake on a
 * shared host), so k requests sharing one cost each about 1/k of it. Every call still reads the database:
 * nothing is kept between batches, and a batch is sent once the loop has taken what its poll phase had
 * (setImmediate), so a call waits no longer than the current turn. A lone call runs `one`, as unbatched.
 * Calls in a transaction must not come here: the batch runs outside it, on whichever EntityManager the
 * first call gave.
 */
export function batchedRead<K, R>(read: BatchableRead<K, R>): (em: EntityManager, key: K) => Promise<R | undefined> {
  type Waiting = { key: K; resolve: (row: R | undefined) => void; reject: (error: unknown) => void };
  let open: { em: EntityManager; waiting: Waiting[] } | null = null;

  // Called from setImmediate: a read that threw instead of rejecting must fail its callers, not the process.
  const attempt = <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return work();
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const send = (em: EntityManager, waiting: Waiting[]) => {
    if (waiting.length === 1) {
      const [only] = waiting as [Waiting];
      attempt(() => read.one(em, only.key)).then(only.resolve, only.reject);
      return;
    }
    attempt(() =>
      read.many(
        em,
        waiting.map((w) => w.key),
      ),
    ).then(
      (rows) => {
        for (const [i, w] of waiting.entries()) {
          const row = rows[i];
          if (row instanceof KeyFailed) w.reject(row.error);
          else w.resolve(row);
        }
      },
      (error: unknown) => {
        for (const w of waiting) w.reject(error);
      },
    );
  };

  return (em, key) =>
    new Promise<R | undefined>((resolve, reject) => {
      if (!open) {
        const batch = { em, waiting: [] as Waiting[] };
        open = batch;
        setImmediate(() => {
          open = null;
          for (let i = 0; i < batch.waiting.length; i += MAX_KEYS) send(batch.em, batch.waiting.slice(i, i + MAX_KEYS));
        });
      }
      open.waiting.push({ key, resolve, reject });
    });
}

/**
 * The positions of `items` in rounds whose items have distinct keys, first occurrences in the first: for a
 * batch written by one statement, which may change a row only once.
 */
export function distinctRounds<T>(items: readonly T[], keyOf: (item: T) => string): number[][] {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    const key = keyOf(item);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n === rounds.length) rounds.push([]);
    rounds[n]!.push(i);
  }
  return rounds;
}
