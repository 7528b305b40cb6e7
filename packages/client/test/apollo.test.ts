import { ApolloClient, ApolloLink, CombinedGraphQLErrors, gql, InMemoryCache, type TypedDocumentNode } from '@apollo/client';
import { ServerError } from '@apollo/client/errors';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createAuthLink, forgetOnUserChange, type RateLimitNotice } from '../src/apollo.js';
import { errorInfo, TokenManager } from '../src/index.js';
import { accessToken, manualTime } from './fakes.js';

const Me: TypedDocumentNode<{ me: { id: string } }, Record<string, never>> = gql`
  query Me {
    me {
      id
    }
  }
`;

type Reply = { errors: { message: string; extensions: Record<string, unknown> }[] } | { data: unknown } | Error;

/** A terminating link standing in for HttpLink: records the authorization header, answers from a script. */
function scriptedServer(replies: Reply[]) {
  const seen: (string | undefined)[] = [];
  const contexts: { credentials?: string; headers?: Record<string, string> }[] = [];
  const link = new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        contexts.push(operation.getContext() as (typeof contexts)[number]);
        seen.push((operation.getContext().headers as Record<string, string> | undefined)?.authorization);
        const reply = replies.shift() ?? { data: { me: { __typename: 'User', id: 'user-1' } } };
        if (reply instanceof Error) observer.error(reply);
        else {
          observer.next(reply as ApolloLink.Result);
          observer.complete();
        }
      }),
  );
  return { link, seen, contexts };
}

function signedInTokens() {
  const time = manualTime();
  let renewals = 0;
  const tokens = new TokenManager({
    locks: null,
    channel: null,
    now: time.now,
    timers: time.timers,
    renew: async () => {
      renewals++;
      return accessToken('user-1', Math.floor(time.now() / 1000));
    },
  });
  tokens.signedIn(accessToken('user-1', Math.floor(time.now() / 1000)));
  return { tokens, renewals: () => renewals };
}

const clientWith = (link: ApolloLink) => new ApolloClient({ link, cache: new InMemoryCache() });
const unauthenticated = { errors: [{ message: 'sign in', extensions: { code: 'UNAUTHENTICATED' } }] };
const rateLimited = { errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfter: 30 } }] };

describe('createAuthLink', () => {
  it('puts the access token on the operation, in cookie mode', async () => {
    const { tokens } = signedInTokens();
    const server = scriptedServer([]);
    const { data } = await clientWith(ApolloLink.from([createAuthLink(tokens), server.link])).query({ query: Me });
    expect(data).toEqual({ me: { __typename: 'User', id: 'user-1' } });
    expect(server.seen).toEqual([`Bearer ${await tokens.accessToken()}`]);
    expect(server.contexts[0]).toMatchObject({ credentials: 'include', headers: { 'x-token-delivery': 'cookie' } });
  });

  it('renews once and retries once on UNAUTHENTICATED', async () => {
    const { tokens, renewals } = signedInTokens();
    const first = await tokens.accessToken();
    const server = scriptedServer([unauthenticated]);
    const { data } = await clientWith(ApolloLink.from([createAuthLink(tokens), server.link])).query({ query: Me });
    expect(data?.me.id).toBe('user-1');
    expect(renewals()).toBe(1);
    expect(server.seen).toHaveLength(2);
    expect(server.seen[0]).toBe(`Bearer ${first}`);
    expect(server.seen[1]).toBe(`Bearer ${await tokens.accessToken()}`);
    expect(server.seen[1]).not.toBe(server.seen[0]);
  });

  it('stops after one retry: a second refusal reaches the app as UNAUTHENTICATED', async () => {
    const { tokens, renewals } = signedInTokens();
    const server = scriptedServer([unauthenticated, unauthenticated, unauthenticated]);
    const error = await clientWith(ApolloLink.from([createAuthLink(tokens), server.link]))
      .query({ query: Me })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect(errorInfo(error)?.code).toBe('UNAUTHENTICATED');
    expect(renewals()).toBe(1);
    expect(server.seen).toHaveLength(2);
  });

  it('surfaces RATE_LIMITED with its wait, from a 200 answer and from a 429 alike', async () => {
    const { tokens } = signedInTokens();
    const notices: RateLimitNotice[] = [];
    const response = new Response(null, { status: 429 });
    const refusedOutright = new ServerError('Response not successful: Received status code 429', {
      response,
      bodyText: JSON.stringify(rateLimited),
    });
    const server = scriptedServer([rateLimited, refusedOutright]);
    const client = clientWith(ApolloLink.from([createAuthLink(tokens, { onRateLimited: (n) => notices.push(n) }), server.link]));
    for (let i = 0; i < 2; i++) {
      const error = await client.query({ query: Me, fetchPolicy: 'network-only' }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(CombinedGraphQLErrors.is(error)).toBe(true);
      expect(errorInfo(error)).toEqual({ code: 'RATE_LIMITED', retryAfter: 30 });
    }
    expect(notices).toEqual([
      { operationName: 'Me', retryAfter: 30 },
      { operationName: 'Me', retryAfter: 30 },
    ]);
  });

  it('passes a network failure through untouched', async () => {
    const { tokens } = signedInTokens();
    const failure = new TypeError('fetch failed');
    const server = scriptedServer([failure]);
    const error = await clientWith(ApolloLink.from([createAuthLink(tokens), server.link]))
      .query({ query: Me })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBe(failure);
    expect(errorInfo(error)).toBeNull();
  });

  it('sends no token when signed out', async () => {
    const tokens = new TokenManager({ locks: null, channel: null, renew: async () => null });
    tokens.signedOut();
    const server = scriptedServer([]);
    await clientWith(ApolloLink.from([createAuthLink(tokens), server.link])).query({ query: Me });
    expect(server.seen).toEqual([undefined]);
  });
});

describe('forgetOnUserChange', () => {
  it('empties the cache when the user changes or signs out, not on a mere renewal', async () => {
    const { tokens } = signedInTokens();
    let cleared = 0;
    forgetOnUserChange({ clearStore: async () => void cleared++ }, tokens);
    await tokens.renew(null);
    expect(cleared).toBe(0);
    tokens.signedIn(accessToken('user-2', 1_700_000_000));
    expect(cleared).toBe(1);
    tokens.signedOut();
    expect(cleared).toBe(2);
  });
});
