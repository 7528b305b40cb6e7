import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const browser = { accept: 'text/html,application/xhtml+xml' };

describe('in development', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ NODE_ENV: 'development' });
  });

  it('shows the Apollo Sandbox landing page to a browser', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: browser });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it('allows introspection', async () => {
    const res = await app.post({ query: '{ __schema { queryType { name } } }' });
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('in production', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({
      NODE_ENV: 'production',
      JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
      AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
      MAIL_ENABLED: 'false',
    });
  });

  it('has no landing page', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: browser });
    expect(await res.text()).not.toMatch(/sandbox/i);
  });

  it('refuses introspection', async () => {
    const res = await app.post({ query: '{ __schema { queryType { name } } }' });
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.data).toBeUndefined();
  });

  it('hides field suggestions', async () => {
    const res = await app.post({ query: '{ mee { id } }' });
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.raw).not.toMatch(/did you mean/i);
  });
});

describe('HTTP edges', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ MAX_BODY_BYTES: '2048' });
  });
  afterAll(() => undefined);

  it('refuses a body over the limit with 413', async () => {
    const res = await app.post({ query: `{ me { id } } # ${'x'.repeat(4096)}` });
    expect(res.status).toBe(413);
  });

  it('refuses malformed JSON with 400 and a code', async () => {
    const res = await app.post('{"query": ');
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('BAD_REQUEST');
  });

  it('refuses a GET mutation and a simple cross-site request (CSRF prevention)', async () => {
    const LOGIN_MUTATION = 'mutation { login(input: {identifier: "a", password: "b"}) { accessToken } }';
    const get = await fetch(`${app.url}/graphql?query=${encodeURIComponent(LOGIN_MUTATION)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(405);
    const simple = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
  });

  it('refuses batched operations', async () => {
    const res = await app.post([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]);
    expect(res.status).toBe(400);
  });

  it('marks GraphQL responses as not cacheable', async () => {
    const res = await app.post({ query: '{ me { id } }' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
