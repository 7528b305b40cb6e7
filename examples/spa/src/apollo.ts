import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import { socketAuth, type Tollgate, whileSignedIn } from '@tollgate/client';
import { createAuthLink, forgetOnUserChange } from '@tollgate/client/apollo';
import { createClient } from 'graphql-ws';
import { throwError } from 'rxjs';
import { recordBudget } from './budget';
import { httpUrl, wsUrl } from './config';

/** Apollo Client over HTTP and graphql-ws, with the access token of `tollgate` on every request. */
export function createApollo(tollgate: Tollgate) {
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

  // A graphql-ws connection kept open while someone is signed in: Tollgate closes it (4403) when the
  // session ends elsewhere, and the renewal that follows signs this tab out at once.
  const socket = whileSignedIn(
    tollgate.tokens,
    () => {
      const client = createClient({ url: wsUrl, ...socketAuth(tollgate.tokens) });
      return { link: new GraphQLWsLink(client), client };
    },
    // dispose() rejects when the socket it waits for was refused, which is how a revoked session ends: nothing to report.
    ({ client }) => void Promise.resolve(client.dispose()).catch(() => undefined),
  );

  const link = ApolloLink.split(
    ({ query }) => isSubscriptionOperation(query),
    new ApolloLink((operation) => socket()?.link.request(operation) ?? throwError(() => new Error('Sign in to subscribe.'))),
    ApolloLink.from([createAuthLink(tollgate.tokens), http]),
  );

  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({ typePolicies: { ResourceProgress: { keyFields: ['resourceId'] } } }),
  });
  // Another account's data must never show.
  forgetOnUserChange(client, tollgate.tokens);
  return client;
}
