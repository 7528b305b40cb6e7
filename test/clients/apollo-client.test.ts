import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  gql,
  HttpLink,
  InMemoryCache,
  type TypedDocumentNode,
} from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CreateServiceAccountDocument,
  LoginDocument,
  MeDocument,
  ReportResourceProgressDocument,
  ResourceProgressChangedDocument,
} from '../../src/client/generated/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';
import { productionEnv } from '../helpers/ws.js';

/** Fragments, @include and @skip, as an app's own documents use them. */
const ViewerDocument: TypedDocumentNode<
  { me: { id: string; email: string; tier: string; sessions?: { id: string; current: boolean }[]; securityEvents?: unknown[] } },
  { withSessions: boolean; quiet: boolean }
> = gql`
  fragment Basics on User {
    id
    email
    ...Tier
  }
  fragment Tier on User {
    tier
  }
  query Viewer($withSessions: Boolean!, $quiet: Boolean!) {
    me {
      ...Basics
      sessions @include(if: $withSessions) {
        id
        current
      }
      securityEvents(first: 5) @skip(if: $quiet) {
        id
        type
      }
    }
  }
`;

let app: TestApp;
const disposers: (() => unknown)[] = [];
beforeAll(async () => {
  app = await createTestApp(await productionEnv());
});
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

const clientFor = (token: string | null) => {
  const auth = new ApolloLink((operation, forward) => {
    if (token) operation.setContext({ headers: { authorization: `Bearer ${token}` } });
    return forward(operation);
  });
  const client = new ApolloClient({
    link: ApolloLink.from([auth, new HttpLink({ uri: `${app.url}/graphql` })]),
    cache: new InMemoryCache(),
  });
  disposers.push(() => client.stop());
  return client;
};

describe('Apollo Client 4, against a production server', () => {
  it('runs queries with fragments, @include and @skip, and normalises them in its cache', async () => {
    const { account } = await signUp(app);
    const anonymous = clientFor(null);
    const login = await anonymous.mutate({
      mutation: LoginDocument,
      variables: { input: { identifier: account.email, password: account.password } },
    });
    const token = login.data!.login.accessToken;
    const client = clientFor(token);

    const full = await client.query({ query: ViewerDocument, variables: { withSessions: true, quiet: false } });
    expect(full.data?.me).toMatchObject({ email: account.email, tier: 'FREE' });
    expect(full.data?.me.sessions?.some((s) => s.current)).toBe(true);
    expect(full.data?.me.securityEvents?.length).toBeGreaterThan(0);

    const lean = await client.query({
      query: ViewerDocument,
      variables: { withSessions: false, quiet: true },
      fetchPolicy: 'network-only',
    });
    expect(lean.data?.me).not.toHaveProperty('sessions');
    expect(lean.data?.me).not.toHaveProperty('securityEvents');

    const me = await client.query({ query: MeDocument });
    const cached = client.cache.extract() as Record<string, { email?: string }>;
    expect(cached[`User:${me.data!.me.id}`]?.email).toBe(account.email);
  });

  it('reads UNAUTHENTICATED from its error type', async () => {
    const error = await clientFor('not-a-token')
      .query({ query: MeDocument })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('subscribes over graphql-ws through GraphQLWsLink', async () => {
    const owner = await signUp(app);
    const admin = await signUpAdmin(app);
    const key = (await app.execute(CreateServiceAccountDocument, { name: 'w' }, { token: admin.accessToken })).data!
      .createServiceAccount.apiKey;
    const report = (status: 'PROCESSING' | 'COMPLETED') =>
      app.execute(
        ReportResourceProgressDocument,
        { input: { resourceId: 'client-1', ownerId: owner.user.id, stage: 'INGESTION', status } },
        { token: key },
      );
    await report('PROCESSING');
    const ws = createClient({
      url: `${app.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${owner.accessToken}` },
      retryAttempts: 0,
    });
    disposers.push(() => ws.dispose());
    const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    disposers.push(() => client.stop());
    const statuses: string[] = [];
    const sub = client.subscribe({ query: ResourceProgressChangedDocument, variables: { resourceId: 'client-1' } }).subscribe({
      next: ({ data }) => data && statuses.push(data.resourceProgressChanged.overallStatus),
    });
    disposers.push(() => sub.unsubscribe());
    // Generous deadlines: on a loaded machine the push can take longer than poll's default second.
    await expect.poll(() => statuses, { timeout: 10_000 }).toEqual(['PROCESSING']);
    await report('COMPLETED');
    await expect.poll(() => statuses.length, { timeout: 10_000 }).toBe(2);
  });
});
