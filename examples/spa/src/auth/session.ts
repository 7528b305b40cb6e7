import { print } from 'graphql';
import { httpUrl } from '../config';
import { ApiError, type ErrorExtensions } from '../errors';
import { graphql } from '../gql';
import type { SilentRefreshMutation } from '../gql/graphql';
import { type HeldToken, holdToken } from './token';

export type AuthState =
  | { status: 'starting' }
  /** `ended`: the session was revoked, signed out elsewhere or expired; `unreachable`: Tollgate did not answer. */
  | { status: 'signed-out'; reason?: 'ended' | 'unreachable' }
  | { status: 'signed-in'; userId: string };

type Message = { type: 'token'; accessToken: string } | { type: 'signed-out' };

const SilentRefresh = graphql(`
  mutation SilentRefresh {
    refresh {
      accessToken
    }
  }
`);

/**
 * The browser side of cookie mode. The access token lives only in this object's memory; the refresh token
 * only in Tollgate's HttpOnly cookie, which no script here can read. Tabs of the same app share news over a
 * BroadcastChannel (a fresh token, a sign-out) and renew one at a time under a Web Lock.
 */
export class Session {
  #token: HeldToken | null = null;
  #state: AuthState = { status: 'starting' };
  #listeners = new Set<() => void>();
  #renewing: Promise<string | null> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #channel = new BroadcastChannel('tollgate-session');
  #replacing = 0;

  constructor() {
    this.#channel.onmessage = ({ data }: MessageEvent<Message>) => {
      if (data.type === 'token') this.#hold(data.accessToken);
      else this.#drop({ status: 'signed-out' });
    };
  }

  getState = (): AuthState => this.#state;

  subscribe = (listener: () => void) => {
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
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    return this.renew(this.#token?.value ?? null);
  }

  /** After register or login in this tab: the other tabs adopt the same token. */
  signedIn(accessToken: string) {
    this.#hold(accessToken);
    this.#post({ type: 'token', accessToken });
  }

  /**
   * Runs a request that ends every session of the account and answers with new tokens for this one
   * (changePassword). Meanwhile this tab's live socket is closed for the old session; that is no reason to
   * renew (the old refresh cookie is being replaced, and a refusal would sign every tab out), so the socket
   * waits for the new token instead (see `replacing`).
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

  /** After logout, or when Tollgate refuses the refresh cookie: every tab forgets its token. */
  signedOut(reason?: 'ended') {
    this.#drop({ status: 'signed-out', reason });
    this.#post({ type: 'signed-out' });
  }

  /**
   * Renews the access token with the refresh cookie, one renewal at a time across every tab of this origin:
   * two tabs presenting the same refresh token would look like a stolen token to Tollgate's reuse detection,
   * which then ends the session. `stale` is the token the caller found wanting; when another tab has replaced
   * it while this one waited for the lock, the replacement is used and nothing is sent.
   */
  renew(stale: string | null): Promise<string | null> {
    this.#renewing ??= withLock('tollgate-refresh', async () => {
      const held = this.#token;
      if (held && held.value !== stale && Date.now() < held.renewAt) return held.value;
      const accessToken = await refreshWithCookie();
      if (accessToken) this.signedIn(accessToken);
      else if (this.#state.status === 'signed-in') this.signedOut('ended');
      else this.#drop({ status: 'signed-out' });
      return accessToken;
    }).finally(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  #hold(accessToken: string) {
    const token = holdToken(accessToken);
    this.#token = token;
    clearTimeout(this.#timer);
    // Renew ahead of expiry; a failure here is retried by the next request, which renews on demand.
    this.#timer = setTimeout(() => void this.renew(token.value).catch(() => undefined), token.renewAt - Date.now());
    const state = this.#state;
    if (state.status !== 'signed-in' || state.userId !== token.userId) this.#set({ status: 'signed-in', userId: token.userId });
  }

  #drop(state: AuthState) {
    this.#token = null;
    clearTimeout(this.#timer);
    this.#set(state);
  }

  #set(state: AuthState) {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }

  #post(message: Message) {
    this.#channel.postMessage(message);
  }
}

/** Web Locks exist in every current browser on https and on localhost; without them a tab still renews once at a time. */
function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? (navigator.locks.request(name, task) as Promise<T>) : task();
}

/** The new access token, or null when there is no session to renew. Anything else (rate limit, outage) throws. */
async function refreshWithCookie(): Promise<string | null> {
  const response = await fetch(httpUrl, {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json', 'x-token-delivery': 'cookie' },
    body: JSON.stringify({ query: print(SilentRefresh) }),
  });
  const body = (await response.json()) as { data?: SilentRefreshMutation | null; errors?: { extensions?: ErrorExtensions }[] };
  if (body.data?.refresh) return body.data.refresh.accessToken;
  const extensions = body.errors?.[0]?.extensions;
  if (extensions?.code === 'UNAUTHENTICATED') return null;
  throw new ApiError(extensions ?? { code: 'INTERNAL_SERVER_ERROR' });
}
