import type { ChannelLike, LockManagerLike, StorageLike, Timers } from '../src/index.js';

/** An unsigned JWT with the claims the client reads; the server verifies tokens, the client only schedules. */
export function accessToken(sub: string, iat: number, lifetimeSeconds = 900, jti = Math.random().toString(36).slice(2)): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'EdDSA', typ: 'at+jwt' })}.${part({ sub, iat, exp: iat + lifetimeSeconds, jti })}.signature`;
}

/** Web Locks for the tabs of one test: one holder at a time per name, the others queue in order. */
export function fakeLocks(): LockManagerLike & { held: number } {
  const tails = new Map<string, Promise<unknown>>();
  const locks = {
    held: 0,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(async () => {
        locks.held++;
        try {
          return await callback();
        } finally {
          locks.held--;
        }
      });
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
  return locks;
}

/** BroadcastChannels of one origin: a message reaches every other channel of the name, never its sender. */
export function channelHub() {
  const open = new Set<ChannelLike & { name: string }>();
  return {
    channel(name = 'tollgate-session'): ChannelLike {
      const channel: ChannelLike & { name: string } = {
        name,
        onmessage: null,
        postMessage(message: unknown) {
          // Structured clone and delivery on a later task, as browsers do.
          const data = structuredClone(message);
          for (const other of open)
            if (other !== channel && other.name === name) queueMicrotask(() => other.onmessage?.({ data }));
        },
        close: () => void open.delete(channel),
      };
      open.add(channel);
      return channel;
    },
  };
}

/** Timers that fire only when the test moves the clock. */
export function manualTime(start = 1_700_000_000_000) {
  let now = start;
  let next = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    set: (callback, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    now: () => now,
    timers,
    pending: () => pending.size,
    /** Moves the clock and runs the timers that came due, in order. */
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at))
        if (timer.at <= now) {
          pending.delete(id);
          timer.callback();
        }
    },
  };
}

export function memoryStorage(initial: Record<string, string> = {}): StorageLike & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return { values, getItem: (key) => values.get(key) ?? null, setItem: (key, value) => void values.set(key, value) };
}

/** Resolves after every queued microtask and promise reaction has run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise the test resolves when it chooses. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
