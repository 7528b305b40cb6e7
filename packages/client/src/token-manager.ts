import { type HeldToken, holdToken } from './held-token.js';
import { browserChannel, browserLocks, type ChannelLike, defaultTimers, type LockManagerLike, type Timers } from './platform.js';

export type AuthState =
  | { status: 'starting' }
  /** `ended`: the session was revoked, signed out elsewhere or expired; `unreachable`: Tollgate did not answer. */
  | { status: 'signed-out'; reason?: 'ended' | 'unreachable' }
  | { status: 'signed-in'; userId: string };

type Message = { type: 'token'; accessToken: string } | { type: 'signed-out' };

export interface TokenManagerOptions {
  /** Renews with the refresh cookie: the new access token, null when there is no session, a rejection for anything else. */
  renew: () => Promise<string | null>;
  /** Names the lock and the channel: apps on one origin that must not share tokens need different names. */
  name?: string;
  /** Defaults to `navigator.locks`; null renews one at a time in this tab only. */
  locks?: LockManagerLike | null;
  /** Defaults to a `BroadcastChannel`; null keeps the news in this tab. */
  channel?: ChannelLike | null;
  now?: () => number;
  timers?: Timers;
}

/**
 * The access token of cookie mode. It lives only in this object's memory, never in storage a script
 * could read back; the refresh token only in Tollgate's HttpOnly cookie. Tabs of one app share news over
 * a BroadcastChannel (a fresh token, a sign-out) and renew one at a time under a Web Lock.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #locks: LockManagerLike | null;
  readonly #channel: ChannelLike | null;
  readonly #lockName: string;
  #token: HeldToken | null = null;
  #state: AuthState = { status: 'starting' };
  #listeners = new Set<() => void>();
  #renewing: Promise<string | null> | null = null;
  #timer: unknown;
  #replacing = 0;

  constructor(options: TokenManagerOptions) {
    const name = options.name ?? 'tollgate';
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? defaultTimers;
    this.#locks = options.locks === undefined ? browserLocks() : options.locks;
    this.#channel = options.channel === undefined ? browserChannel(`${name}-session`) : options.channel;
    this.#lockName = `${name}-refresh`;
    if (this.#channel)
      this.#channel.onmessage = ({ data }) => {
        const message = data as Message | null;
        try {
          if (message?.type === 'token') this.#hold(message.accessToken);
          else if (message?.type === 'signed-out') this.#drop({ status: 'signed-out' });
        } catch {
          // Not a token this tab can read (another version of the app on the channel): its own renewal still works.
        }
      };
  }

  getState = (): AuthState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };

  /** On page load: the refresh cookie, if there is one, says who is signed in. */
  async start(): Promise<void> {
    try {
      await this.renew(null);
    } catch {
      if (this.#state.status === 'starting') this.#drop({ status: 'signed-out', reason: 'unreachable' });
    }
  }

  /** The token for the next request, renewed first when it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    if (this.#state.status === 'signed-out') return null;
    if (this.#token && this.#now() < this.#token.renewAt) return this.#token.value;
    return this.renew(this.#token?.value ?? null);
  }

  /** After a sign-in in this tab (login, register, OAuth): every tab adopts the token. */
  signedIn(accessToken: string): void {
    this.#hold(accessToken);
    this.#post({ type: 'token', accessToken });
  }

  /** After sign-out, or when Tollgate has ended the session: every tab forgets its token. */
  signedOut(reason?: 'ended'): void {
    this.#drop(reason ? { status: 'signed-out', reason } : { status: 'signed-out' });
    this.#post({ type: 'signed-out' });
  }

  /**
   * Runs a request that ends every session of the account and answers with new tokens for this one
   * (changePassword). Meanwhile this tab's live socket is closed for the old session; that is no reason to
   * renew (the old refresh cookie is being replaced, and a refusal would sign every tab out), so sockets
   * wait for the new token instead (see `replacing`).
   */
  async replace(task: () => Promise<string | null>): Promise<void> {
    this.#replacing++;
    try {
      const accessToken = await task();
      if (accessToken) this.signedIn(accessToken);
    } finally {
      this.#replacing--;
    }
  }

  /** Whether a `replace` is under way in this tab. */
  get replacing(): boolean {
    return this.#replacing > 0;
  }

  /**
   * Renews the access token with the refresh cookie, one renewal at a time across every tab of this origin:
   * two tabs presenting the same refresh token look like a stolen token to Tollgate's reuse detection,
   * which then ends the session. `stale` is the token the caller found wanting; when another tab has
   * replaced it while this one waited for the lock, the replacement is used and nothing is sent.
   */
  renew(stale: string | null): Promise<string | null> {
    this.#renewing ??= this.#withLock(async () => {
      const held = this.#token;
      if (held && held.value !== stale && this.#now() < held.renewAt) return held.value;
      const accessToken = await this.#options.renew();
      if (accessToken) this.signedIn(accessToken);
      else if (this.#state.status === 'signed-in') this.signedOut('ended');
      else this.#drop({ status: 'signed-out' });
      return accessToken;
    }).finally(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  /** Stops listening to the other tabs and cancels the scheduled renewal. */
  dispose(): void {
    this.#timers.clear(this.#timer);
    if (this.#channel) {
      this.#channel.onmessage = null;
      this.#channel.close();
    }
  }

  #withLock<T>(task: () => Promise<T>): Promise<T> {
    return this.#locks ? this.#locks.request(this.#lockName, task) : task();
  }

  #hold(accessToken: string) {
    const token = holdToken(accessToken, this.#now());
    this.#token = token;
    this.#timers.clear(this.#timer);
    // Renew ahead of expiry; a failure here is retried by the next request, which renews on demand.
    this.#timer = this.#timers.set(() => void this.renew(token.value).catch(() => undefined), token.renewAt - this.#now());
    const state = this.#state;
    if (state.status !== 'signed-in' || state.userId !== token.userId) this.#set({ status: 'signed-in', userId: token.userId });
  }

  #drop(state: AuthState) {
    this.#token = null;
    this.#timers.clear(this.#timer);
    this.#set(state);
  }

  #set(state: AuthState) {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }

  #post(message: Message) {
    this.#channel?.postMessage(message);
  }
}
