/**
 * An async iterator fed by pushes: the current state first, then one value per change. Changes
 * that arrive while the consumer is busy collapse into the latest, since only the newest state matters.
 */
export function latestValueStream<T>(onClose: () => void): {
  push(value: T): void;
  fail(error: unknown): void;
  iterator: AsyncIterableIterator<T>;
} {
  let pending: { value: T } | null = null;
  let failure: { error: unknown } | null = null;
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let rejectWaiting: ((error: unknown) => void) | null = null;
  let done = false;

  const finish = () => {
    if (done) return;
    done = true;
    onClose();
    waiting?.({ value: undefined as never, done: true });
    waiting = null;
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (failure) return Promise.reject(failure.error);
      if (pending) {
        const { value } = pending;
        pending = null;
        return Promise.resolve({ value, done: false });
      }
      if (done) return Promise.resolve({ value: undefined as never, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        rejectWaiting = reject;
      });
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined as never, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    push(value) {
      if (done) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value, done: false });
      } else pending = { value };
    },
    fail(error) {
      if (rejectWaiting) {
        const reject = rejectWaiting;
        waiting = null;
        rejectWaiting = null;
        reject(error);
      } else failure = { error };
      finish();
    },
    iterator,
  };
}
