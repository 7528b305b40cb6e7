import { beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/modules/auth/password.hasher.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let token: string;
const calls = { n: 0 };
beforeAll(async () => {
  app = await createTestApp(
    { GRAPHQL_MAX_ROOT_FIELDS: '25', GRAPHQL_MAX_ALIASES: '30', GRAPHQL_MAX_DEPTH: '4', GRAPHQL_INTROSPECTION: 'true' },
    {
      hasher: (real): PasswordHasher => ({
        ...real,
        verify: (h, p) => {
          calls.n++;
          return real.verify(h, p);
        },
        hash: (p) => {
          calls.n++;
          return real.hash(p);
        },
      }),
    },
  );
  token = (await signUp(app)).accessToken;
});

const refusedBeforeResolvers = (res: {
  status: number;
  errors?: readonly { extensions?: Record<string, unknown> }[];
  data?: unknown;
}) => {
  // 200: a client reading application/json gets a GraphQL response (GraphQL over HTTP), never data.
  expect(res.status).toBe(200);
  expect(res.data).toBeUndefined();
  expect(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']).toContain(res.errors?.[0]?.extensions?.code);
};

describe('request-shape limits', () => {
  it('refuse a query deeper than the limit', async () => {
    const deep = `{ me { sessions { id } } }`;
    expect((await app.post({ query: deep }, { token })).errors).toBeUndefined();
    refusedBeforeResolvers(await app.post({ query: '{ users { edges { node { sessions { id } } } } }' }, { token }));
  });

  it('refuse the circular introspection query graphql-cop sends', async () => {
    const query =
      'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }';
    refusedBeforeResolvers(await app.post({ query }));
  });

  it('refuse more aliases than allowed', async () => {
    const query = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    refusedBeforeResolvers(await app.post({ query }));
  });

  it('refuse more root fields than allowed', async () => {
    const ok = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await app.post({ query: ok })).errors).toBeUndefined();
    const query = `{ ${Array.from({ length: 26 }, () => '__typename').join(' ')} }`;
    refusedBeforeResolvers(await app.post({ query }));
  });

  it('refuse too many directives', async () => {
    const query = `{ __typename ${'@include(if: true) '.repeat(21)} }`;
    refusedBeforeResolvers(await app.post({ query }));
  });

  it('refuse a document with too many tokens', async () => {
    const query = `{ __typename } ${Array.from({ length: 700 }, (_, i) => `fragment f${i} on Query { __typename }`).join(' ')}`;
    refusedBeforeResolvers(await app.post({ query }));
  });

  it('refuse a 1 MB body with 413 before parsing it, and never hash the password in it', async () => {
    calls.n = 0;
    const password = 'x'.repeat(1024 * 1024);
    const started = performance.now();
    const res = await app.post({
      query: 'mutation($p: String!) { login(input: { identifier: "someone@example.com", password: $p }) { accessToken } }',
      variables: { p: password },
    });
    expect(res.status).toBe(413);
    expect(codeOf(res)).toBe('BAD_REQUEST');
    expect(calls.n).toBe(0);
    expect(performance.now() - started).toBeGreaterThan(0);
  });

  it('never run a mutation over GET, and refuse form and text/plain posts', async () => {
    const mutation = 'mutation { login(input: { identifier: "a@b.io", password: "whatever 1" }) { accessToken } }';
    const get = await fetch(`${app.url}/graphql?query=${encodeURIComponent(mutation)}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(get.status).toBe(405);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify({ query: mutation }),
      });
      expect(res.status, type).toBe(400);
    }
  });
});
