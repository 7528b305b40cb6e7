import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isRowFailure } from './sql.js';

/** What `many` gives for a key whose own statement failed: that caller alone is rejected with `error`. */
export class KeyFailed {
  constructor(readonly error: unknown) {}
}

/** How one read runs: for a single key, and for many keys at once (results in the keys' order). */
export interface BatchableRead<K, R> {
  one(em: EntityManager, key: K): Promise<R | undefined>;
  many(em: EntityManager, keys: readonly K[]): Promise<(R | undefined | KeyFailed)[]>;
}

/** `work`'s promise, or a rejected one if it threw instead: a throw must fail its callers, not the process. */
function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Keys per statement at most; a larger batch is split. */
const MAX_KEYS = 100;

/** The batch is sent once the loop has taken what its poll phase had: the calls of one turn, no longer. */
const sameTurn = (send: () => void) => {
  setImmediate(send);
};

/**
 * Calls of one read made by concurrent requests in the same turn of the event loop run as one statement.
 * Under load, each turn of the loop reads several requests off their sockets and each one reaches its
 * statement before the loop turns again; a round trip to Postgres costs the process more CPU than the
 * rest of a cheap request (the write and read system calls, and the other processes they wake on a
 * shared host), so k requests sharing one cost each about 1/k of it. Every call still reads the database:
 * the DataLoader keeps nothing between batches (`cache: false`), and sends a batch from setImmediate, so a
 * call waits no longer than the current turn. A lone call runs `one`, as unbatched.
 * A call in a transaction runs `one` on it at once and never joins a batch: a batch runs outside any
 * transaction, on whichever EntityManager its first call gave, and would neither see the transaction's
 * writes nor roll back with it.
 */
export function batchedRead<K, R>(read: BatchableRead<K, R>): (em: EntityManager, key: K) => Promise<R | undefined> {
  type Call = { em: EntityManager; key: K };
  // A key's own failure travels as a value: DataLoader rejects only `Error` instances, and KeyFailed
  // carries whatever the statement threw.
  const loader = new DataLoader<Call, R | undefined | KeyFailed>(
    (calls) => {
      const [first] = calls as [Call];
      if (calls.length === 1) return attempt(() => read.one(first.em, first.key)).then((row) => [row]);
      // Dense, since DataLoader refuses an array whose last slot is a hole (inKeyOrder leaves holes for keys without a row).
      return attempt(() =>
        read.many(
          first.em,
          calls.map((c) => c.key),
        ),
      ).then((rows) => Array.from(rows));
    },
    { cache: false, maxBatchSize: MAX_KEYS, batchScheduleFn: sameTurn },
  );
  const settle = (row: R | undefined | KeyFailed) => (row instanceof KeyFailed ? Promise.reject(row.error) : row);

  return (em, key) => {
    if (em.isInTransaction()) return attempt(() => read.one(em, key));
    return loader.load({ em, key }).then(settle);
  };
}

/**
 * The rows of a many-keys statement (`unnest(...) with ordinality`, the position in `ord`) in the keys'
 * order, through `map`: undefined for a key that gave no row.
 */
export function inKeyOrder<Row extends { ord: string | number }, T>(found: readonly Row[], keys: number, map: (row: Row) => T) {
  const byKey: (T | undefined)[] = new Array(keys);
  for (const row of found) byKey[Number(row.ord) - 1] = map(row);
  return byKey;
}

/**
 * A batch of writes, for BatchableRead.many: in rounds whose keys name distinct rows (`rowOf`), since one
 * statement may change a row only once; each round one statement (`write.many`, or `write.one` for a round
 * of one). A round that fails on one row's account (isRowFailure: bad data, a constraint, a deadlock with
 * another instance's batch) is written a key at a time. A failure fails the keys of its own round only:
 * the rounds before it have committed, and their callers get their rows.
 */
export async function writeInRounds<K, R>(
  em: EntityManager,
  keys: readonly K[],
  rowOf: (key: K) => string,
  write: BatchableRead<K, R>,
): Promise<(R | undefined | KeyFailed)[]> {
  const alone = (key: K) => attempt(() => write.one(em, key)).catch((error: unknown) => new KeyFailed(error));
  const results: (R | undefined | KeyFailed)[] = new Array(keys.length);
  for (const round of distinctRounds(keys, rowOf)) {
    const these = round.map((i) => keys[i]!);
    let written: (R | undefined | KeyFailed)[];
    if (these.length === 1) written = [await alone(these[0]!)];
    else {
      try {
        written = await attempt(() => write.many(em, these));
      } catch (error) {
        written = isRowFailure(error) ? await Promise.all(these.map(alone)) : these.map(() => new KeyFailed(error));
      }
    }
    for (const [j, i] of round.entries()) results[i] = written[j];
  }
  return results;
}

/** The positions of `items` in rounds whose items have distinct keys, first occurrences in the first. */
function distinctRounds<T>(items: readonly T[], keyOf: (item: T) => string): number[][] {
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
