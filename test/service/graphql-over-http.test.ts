import { auditServer } from 'graphql-http';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument } from '../../src/client/generated/graphql.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { productionEnv } from '../helpers/ws.js';
import { print } from 'graphql';

let app: TestApp;
let introspectable: TestApp;
beforeAll(async () => {
  app = await createTestApp(await productionEnv());
  introspectable = await createTestApp(await productionEnv({ GRAPHQL_INTROSPECTION: 'true' }));
});

/** MUST failures are errors and SHOULD failures warnings; MAYs are notices and optional. */
const audited = async (on: TestApp) =>
  (await auditServer({ url: `${on.url}/graphql` }))
    .filter((r) => r.status === 'error' || r.status === 'warn')
    .map((r) => ({ id: r.id, reason: r.status === 'ok' ? '' : r.reason }));

const send = (body: unknown, accept?: string) =>
  fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
    body: JSON.stringify(body),
  }).then(async (res) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
  }));

describe('GraphQL over HTTP, in production', () => {
  it('passes every MUST and SHOULD of graphql-http’s audit', async () => {
    expect(await audited(introspectable)).toEqual([]);
  });

  it('fails only the two audits that query __type when introspection is off, as it must be', async () => {
    // 28B9 and 2EA1 send `__type(name: $name)` to test variables: with introspection off that is refused by design.
    expect((await audited(app)).map((r) => r.id).sort()).toEqual(['28B9', '2EA1']);
    const res = await send({ query: 'query Type($name: String!) { __type(name: $name) { name } }', variables: { name: 'User' } });
    expect(res.body.errors?.[0]?.message).toMatch(/introspection has been disabled/);
  });

  it('answers parse, validation and coercion errors 200 to application/json, 400 to graphql-response+json', async () => {
    const bad = [
      { query: '{ me { id ' },
      { query: '{ nope }' },
      { query: print(LoginDocument), variables: { input: { identifer: 'x', password: 'y' } } },
    ];
    for (const body of bad) {
      const json = await send(body, 'application/json');
      expect(json.status, JSON.stringify(body)).toBe(200);
      expect(json.body.data).toBeUndefined();
      const modern = await send(body, 'application/graphql-response+json');
      expect(modern.status, JSON.stringify(body)).toBe(400);
      expect(modern.type).toContain('application/graphql-response+json');
    }
    // Unreadable JSON is not a GraphQL request at all: 400 for everyone.
    const broken = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(broken.status).toBe(400);
  });

  it('hides schema hints in variable-coercion errors, for input fields and enum values', async () => {
    const field = await send({ query: print(LoginDocument), variables: { input: { identifer: 'x', password: 'y' } } });
    expect(field.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(field.body.errors?.[0]?.message).toMatch(/identifer/);
    const enumValue = await send({
      query: 'mutation($t: Tier!) { setUserTier(userId: "x", tier: $t) { id } }',
      variables: { t: 'ADMINN' },
    });
    expect(enumValue.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const literal = await send({ query: '{ mee { id } }' });
    for (const res of [field, enumValue, literal]) {
      expect(JSON.stringify(res.body)).not.toMatch(/Did you mean|identifier"|ADMIN"|"me"/);
    }
  });

  it('stops after a few errors on an operation full of unknown directives (directive overloading)', async () => {
    const res = await send({ query: `{ __typename ${'@aa '.repeat(500)} }` });
    expect(res.body.errors!.length).toBeLessThanOrEqual(6);
    expect(res.body.errors!.at(-1)?.message).toMatch(/Too many validation errors/);
  });
});
