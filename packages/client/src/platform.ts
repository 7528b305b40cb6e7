/**
 * The few browser facilities the core uses, typed by what it needs of them rather than by the DOM library,
 * so the core also runs (and is tested) where they are missing or stood in for: Node, workers, fakes.
 */

/** What renewal needs of the Web Locks API (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** What renewal needs of a `BroadcastChannel`. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

/** What the device tokens need of `localStorage`. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Timers, so tests can run renewals without waiting. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const web = globalThis as unknown as {
  navigator?: { locks?: LockManagerLike };
  BroadcastChannel?: new (name: string) => ChannelLike;
  localStorage?: StorageLike;
};

/** Web Locks exist in every current browser on https and on localhost. */
export const browserLocks = (): LockManagerLike | null => web.navigator?.locks ?? null;

export const browserChannel = (name: string): ChannelLike | null =>
  web.BroadcastChannel ? new web.BroadcastChannel(name) : null;

export function browserStorage(): StorageLike | null {
  try {
    return web.localStorage ?? null;
  } catch {
    // Reading localStorage throws where storage is blocked (sandboxed frames, some privacy settings).
    return null;
  }
}

export const defaultTimers: Timers = {
  set: (callback, ms) => {
    const handle = setTimeout(callback, ms) as unknown as { unref?: () => void };
    // Outside a browser (Node, tests) a pending renewal must not keep the process alive.
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

export const defaultFetch: Fetch = (input, init) => globalThis.fetch(input, init);
