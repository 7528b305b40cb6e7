import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import { from, mergeMap, of, throwError } from 'rxjs';
import type { Session } from './auth/session';
import { recordBudget } from './budget';
import { httpUrl, wsUrl } from './config';

/** Apollo Client over HTTP and graphql-ws, with the access token from `session` on every request. */
export function createApollo(session: Session) {
  const http = new HttpLink({
    uri: httpUrl,
    // The refresh cookie (HttpOnly, Path=/graphql) must travel, and be accepted back, on Tollgate's responses.
    credentials: 'include',
    headers: { 'x-token-delivery': 'cookie' },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      recordBudget(response.headers, init?.body);
      return response;
    },
  });

  const withToken = new ApolloLink((operation, forward) => {
    const send = (token: string | null) => {
      operation.setContext(({ headers = {} }) => ({
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }));
      return forward(operation);
    };
    return from(session.accessToken()).pipe(
      mergeMap((token) =>
        send(token).pipe(
          mergeMap((result) => {
            // Refused although renewed on time (the session ended, a tier changed): renew once and retry once.
            const refused = result.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
            if (!token || !refused) return of(result);
            return from(session.renew(token)).pipe(mergeMap((fresh) => (fresh ? send(fresh) : of(result))));
          }),
        ),
      ),
    );
  });

  const socket = liveSocket(session);
  const link = ApolloLink.split(
    ({ query }) => isSubscriptionOperation(query),
    new ApolloLink((operation) => socket.link()?.request(operation) ?? throwError(() => new Error('Sign in to subscribe.'))),
    ApolloLink.from([withToken, http]),
  );

  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({ typePolicies: { ResourceProgress: { keyFields: ['resourceId'] } } }),
  });

  // Another account's data must never show: forget everything when the user changes or signs out.
  let userId: string | null = null;
  session.subscribe(() => {
    const state = session.getState();
    const now = state.status === 'signed-in' ? state.userId : null;
    if (now !== userId) void client.clearStore();
    userId = now;
  });
  return client;
}

/**
 * A graphql-ws connection kept open while someone is signed in. Tollgate closes it with 4403 when the access
 * token expires or the session ends (revoked from another device, signed out everywhere); renewing tells the
 * two apart, and a session that cannot be renewed signs this tab out at once rather than at its next click.
 */
function liveSocket(session: Session) {
  let current: { link: GraphQLWsLink; dispose(): void } | null = null;
  const open = () => {
    let used: string | null = null;
    const client = createClient({
      url: wsUrl,
      lazy: false,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => session.getState().status === 'signed-in',
      // Called again on every reconnect, so a renewed token is sent.
      connectionParams: async () => {
        used = await session.accessToken();
        return { authorization: `Bearer ${used}` };
      },
      on: {
        closed: (event) => {
          if ((event as CloseEvent).code !== 4403 || !used || session.replacing) return;
          void session.renew(used).catch(() => undefined);
        },
      },
    });
    // dispose() rejects when the socket it waits for was refused, which is how a revoked session ends: nothing to report.
    const dispose = () => void Promise.resolve(client.dispose()).catch(() => undefined);
    return { link: new GraphQLWsLink(client), dispose };
  };
  session.subscribe(() => {
    const signedIn = session.getState().status === 'signed-in';
    if (signedIn && !current) current = open();
    if (!signedIn && current) {
      current.dispose();
      current = null;
    }
  });
  return { link: () => current?.link ?? null };
}
