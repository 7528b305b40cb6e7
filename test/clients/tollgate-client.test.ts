import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createTollgate, errorInfo, type Fetch, type SignUpResult, type Tollgate, type TollgateOptions } from '@tollgate/client';
import { createAuthLink, type RateLimitNotice } from '@tollgate/client/apollo';
import { MeDocument } from '@tollgate/client/documents';
import { print } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelHub, fakeLocks, manualTime } from '../../packages/client/test/fakes.js';
import { createTestApp, newAccount, type TestApp } from '../helpers/test-app.js';

/**
 * @tollgate/client against a real Tollgate. A browser keeps one cookie jar per origin for all its tabs:
 * here one jar is shared by the "tabs" of a test, each a client of its own with the Web Lock and the
 * BroadcastChannel of one origin (fakes: Node has neither across objects in one process).
 */
function browser(app: TestApp) {
  const jar = new Map<string, string>();
  const fetch: Fetch = async (input, init) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await globalThis.fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (value && !/max-age=0\b/i.test(line)) jar.set(name, value);
      else jar.delete(name);
    }
    return response;
  };
  const time = manualTime(app.clock().getTime());
  const locks = fakeLocks();
  const hub = channelHub();
  const tabs: Tollgate[] = [];
  const tab = (options: Partial<TollgateOptions> = {}) => {
    const client = createTollgate({
      url: `${app.url}/graphql`,
      fetch,
      storage: null,
      locks,
      channel: hub.channel(),
      now: time.now,
      timers: time.timers,
      ...options,
    });
    tabs.push(client);
    return client;
  };
  /** Moves Tollgate's clock and this browser's together; due renewals start on the way. */
  const advance = (ms: number) => {
    app.clock.advance(ms);
    time.advance(ms);
  };
  return {
    fetch,
    jar,
    tab,
    advance,
    time,
    dispose: () => {
      for (const t of tabs) t.dispose();
    },
  };
}

const MeQuery = print(MeDocument);
const RateLimitStatus = gql`
  query RateLimitStatus {
    rateLimitStatus {
      tier
    }
  }
`;

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({
    // No grace window: two tabs presenting one refresh token end the session, so only true single-flight passes.
    REFRESH_GRACE_SECONDS: '0',
    RATE_LIMITS: JSON.stringify({ 'Query.rateLimitStatus': { FREE: 1 } }),
  });
});

/** An open sign-up's answer (this suite's server runs SIGNUP_MODE=open): signed in, with the user. */
async function signedUpIn(result: Promise<SignUpResult>) {
  const answer = await result;
  if (answer.status !== 'signed-in') throw new Error(`expected an open sign-up, got ${answer.status}`);
  return answer;
}

describe('@tollgate/client against Tollgate', () => {
  it('signs up, signs in again from the cookie in another tab, and out of every tab', async () => {
    const b = browser(app);
    const [first, second] = [b.tab(), b.tab()];
    const account = newAccount();
    const signedUp = await signedUpIn(first.register(account));
    expect(signedUp).toMatchObject({ status: 'signed-in', user: { email: account.email } });
    expect([...b.jar.keys()]).toEqual([expect.stringMatching(/tollgate_refresh$/)]);
    await second.start();
    expect(second.tokens.getState()).toEqual({ status: 'signed-in', userId: signedUp.user.id });

    const me = await second.request(MeQuery, {});
    expect(me.data).toMatchObject({ me: { id: signedUp.user.id } });

    await second.logout();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(first.tokens.getState()).toEqual({ status: 'signed-out' });
    expect(b.jar.size).toBe(0);
    // The session is over on the server too: a new tab finds nobody signed in.
    const third = b.tab();
    await third.start();
    expect(third.tokens.getState()).toEqual({ status: 'signed-out' });
    b.dispose();
  });

  it('renews in one tab at a time: three tabs due at once keep the session (grace 0)', async () => {
    const b = browser(app);
    const tabs = [b.tab(), b.tab(), b.tab()];
    const { user } = await signedUpIn(tabs[0]!.register(newAccount()));
    await Promise.all(tabs.slice(1).map((t) => t.start()));
    const before = await tabs[2]!.tokens.accessToken();
    b.advance(16 * 60_000); // every tab's timer fires: past the renewal point and the token's expiry
    const after = await Promise.all(tabs.map((t) => t.tokens.accessToken()));
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(before);
    for (const t of tabs) expect((await t.request(MeQuery, {})).data).toMatchObject({ me: { id: user.id } });
    b.dispose();
  });

  it('without the Web Lock, two tabs present one refresh token and Tollgate ends the session', async () => {
    const b = browser(app);
    const [first, second] = [b.tab({ locks: null }), b.tab({ locks: null })];
    await first.register(newAccount());
    await second.start();
    b.advance(16 * 60_000);
    await Promise.all([first.tokens.accessToken(), second.tokens.accessToken()]).catch(() => undefined);
    const fresh = b.tab();
    await fresh.start();
    expect(fresh.tokens.getState().status).toBe('signed-out');
    b.dispose();
  });

  it('logs in with this browser’s device token and keeps the one Tollgate answers', async () => {
    const b = browser(app);
    const client = b.tab({ storage: null });
    const account = newAccount();
    await client.register(account);
    const fromRegister = client.deviceTokens.for(account.email);
    expect(fromRegister).toMatch(/.+/);
    await client.logout();
    const refused = await client.login({ identifier: account.username!, password: 'not the password' }).catch((e: unknown) => e);
    expect(errorInfo(refused)).toEqual({ code: 'INVALID_CREDENTIALS' });
    const result = await client.login({ identifier: account.username!.toUpperCase(), password: account.password });
    expect(result.status).toBe('signed-in');
    expect(client.deviceTokens.for(account.email)).toMatch(/.+/);
    b.dispose();
  });

  describe('the Apollo link', () => {
    const apollo = (b: ReturnType<typeof browser>, client: Tollgate, notices: RateLimitNotice[] = []) =>
      new ApolloClient({
        link: ApolloLink.from([
          createAuthLink(client.tokens, { onRateLimited: (n) => notices.push(n) }),
          new HttpLink({ uri: `${app.url}/graphql`, fetch: b.fetch as typeof globalThis.fetch }),
        ]),
        cache: new InMemoryCache(),
      });

    it('renews once and retries when Tollgate refuses a token this client still thought good', async () => {
      const b = browser(app);
      const client = b.tab();
      const { user } = await signedUpIn(client.register(newAccount()));
      // Only Tollgate's clock moves: the token expires there while this client's clock says it is fresh.
      app.clock.advance(16 * 60_000);
      const before = await client.tokens.accessToken();
      const { data } = await apollo(b, client).query({ query: MeDocument });
      expect(data?.me.id).toBe(user.id);
      expect(await client.tokens.accessToken()).not.toBe(before);
      b.dispose();
    });

    it('surfaces RATE_LIMITED with its wait when Tollgate answers 429', async () => {
      const b = browser(app);
      const client = b.tab();
      await client.register(newAccount());
      const notices: RateLimitNotice[] = [];
      const apolloClient = apollo(b, client, notices);
      await apolloClient.query({ query: RateLimitStatus, fetchPolicy: 'network-only' });
      const error = await apolloClient.query({ query: RateLimitStatus, fetchPolicy: 'network-only' }).catch((e: unknown) => e);
      const info = errorInfo(error);
      expect(info?.code).toBe('RATE_LIMITED');
      expect(info?.retryAfter).toBeGreaterThan(0);
      expect(notices).toEqual([{ operationName: 'RateLimitStatus', retryAfter: info?.retryAfter }]);
      b.dispose();
    });
  });
});
