import type { StorageLike } from './platform.js';

/**
 * Tollgate's device tokens: proof that this browser signed into an account before, so failed guesses by
 * others cannot lock it out of that account. Not a credential (it signs no one in), so unlike the tokens
 * it may live in localStorage. Kept per account under its email and username, the identifiers people type.
 */
export class DeviceTokens {
  readonly #storage: StorageLike;
  readonly #key: string;

  /** Without storage (blocked, or outside a browser) the tokens last as long as this object. */
  constructor(storage: StorageLike | null, key = 'tollgate.deviceTokens') {
    this.#storage = storage ?? memoryStorage();
    this.#key = key;
  }

  /** The token to send with a login by `identifier`, if this browser has one. */
  for(identifier: string): string | null {
    const token = this.#read()[normalise(identifier)];
    return typeof token === 'string' ? token : null;
  }

  /** Keeps the token a sign-in answered, under the account's email and username. */
  keep(token: string | null | undefined, user: { email: string; username?: string | null }): void {
    if (!token) return;
    const stored = this.#read();
    for (const identifier of [user.email, user.username]) if (identifier) stored[normalise(identifier)] = token;
    try {
      this.#storage.setItem(this.#key, JSON.stringify(stored));
    } catch {
      // A full or blocked storage costs only the private failure budget, never the sign-in.
    }
  }

  // A prototype-less record: a username such as `__proto__` is a key like any other.
  #read(): Record<string, unknown> {
    const record: Record<string, unknown> = Object.create(null);
    try {
      const parsed: unknown = JSON.parse(this.#storage.getItem(this.#key) ?? '{}');
      if (parsed && typeof parsed === 'object') Object.assign(record, parsed);
    } catch {
      // unreadable: start afresh
    }
    return record;
  }
}

const normalise = (identifier: string) => identifier.trim().toLowerCase();

function memoryStorage(): StorageLike {
  const values = new Map<string, string>();
  return { getItem: (key) => values.get(key) ?? null, setItem: (key, value) => void values.set(key, value) };
}
