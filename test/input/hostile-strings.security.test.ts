import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  buildSchema,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  parse,
  print,
  typeFromAST,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateServiceAccountDocument, LoginDocument } from '../../src/client/generated/graphql.js';
import { createLogger } from '../../src/logger.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';
import { productionEnv, rawSocket } from '../helpers/ws.js';

const schema = buildSchema(readFileSync('schema.graphql', 'utf8'));
const operations = parse(readFileSync('src/client/operations.graphql', 'utf8')).definitions.filter(
  (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
);

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** What Postgres cannot store (most often), what breaks naive parsers, and crafted cursors. */
const hostile = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('\u0000', '\uD800', '\uDC00', '\uDFFF\uD800'),
        fc.string({ maxLength: 8 }),
      )
      .map((parts) => parts.join('')),
  },
  fc.constantFrom(
    "' or 1=1 --",
    '%00',
    'x'.repeat(20_000),
    cursor(['-271821-04-20T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
    cursor(['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
    cursor(['2026-01-01T00:00:00.000Z', "x'::uuid"]),
    cursor({ a: 1 }),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const plausible = fc.constantFrom(
  'person@example.com',
  'a fine passphrase 123',
  '00000000-0000-4000-8000-000000000000',
  'resource-1',
  'http://localhost:5173/auth/callback',
);

function arbitraryFor(type: GraphQLInputType): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return arbitraryFor(type.ofType);
  if (isListType(type)) return fc.array(arbitraryFor(type.ofType), { maxLength: 3 });
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    return fc.record(Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, arbitraryFor(f.type)])));
  }
  switch (getNamedType(type).name) {
    case 'Int':
      return fc.integer({ min: -5, max: 200 });
    case 'Float':
      return fc.double({ min: -10, max: 200, noNaN: true });
    case 'Boolean':
      return fc.boolean();
    default:
      // String, ID and string-shaped scalars: hostile, or plausible so that the other arguments get past
      // the rules that check them first (a valid email beside a NUL password, a real-looking id).
      return fc.oneof(hostile, plausible);
  }
}

const variablesFor = (op: OperationDefinitionNode) =>
  fc.record(
    Object.fromEntries(
      (op.variableDefinitions ?? []).map((v) => [
        v.variable.name.value,
        arbitraryFor(typeFromAST(schema, v.type as never) as GraphQLInputType),
      ]),
    ),
  );

const reauthenticating = new Set(['ChangePassword', 'DeleteAccount', 'RequestEmailChange']);

let app: TestApp;
let adminToken: string;
beforeAll(async () => {
  app = await createTestApp(await productionEnv());
  adminToken = (await signUpAdmin(app)).accessToken;
});

describe('hostile strings in every argument of every operation', () => {
  it('never answer INTERNAL_SERVER_ERROR over HTTP, signed in as an admin or anonymous', async () => {
    const httpOps = operations.filter((op) => op.operation !== 'subscription');
    expect(httpOps.length).toBeGreaterThan(15);
    for (const op of httpOps) {
      // Five wrong current passwords end the session that sent them: those operations get a session of their own.
      const own = reauthenticating.has(op.name?.value ?? '') ? (await signUp(app)).accessToken : adminToken;
      await fc.assert(
        fc.asyncProperty(variablesFor(op), fc.boolean(), async (variables, anonymous) => {
          // Logging the admin out would leave the rest of the run anonymous.
          const token = anonymous || op.name?.value === 'Logout' ? undefined : own;
          const res = await app.post({ query: print(op), variables }, { token });
          expect(res.status, res.raw).not.toBe(500);
          expect(res.errors?.map((e) => e.extensions?.code) ?? [], res.raw).not.toContain('INTERNAL_SERVER_ERROR');
        }),
        { numRuns: 15 },
      );
    }
    expect(app.logs.filter((l) => l.includes('"unexpected error"'))).toEqual([]);
  });

  it('never answer INTERNAL_SERVER_ERROR over graphql-ws', async () => {
    const s = rawSocket(app.url, { token: adminToken });
    await expect.poll(s.acknowledged).toBe(true);
    const subscriptions = operations.filter((op) => op.operation === 'subscription');
    const cases = fc.constantFrom(...subscriptions).chain((op) => variablesFor(op).map((variables) => ({ op, variables })));
    await fc.assert(
      fc.asyncProperty(cases, async ({ op, variables }) => {
        const id = s.subscribe(print(op), variables);
        await expect.poll(() => s.of(id).some((m) => m.type === 'error' || m.type === 'next')).toBe(true);
        expect(JSON.stringify(s.of(id))).not.toContain('INTERNAL_SERVER_ERROR');
        await s.send({ type: 'complete', id });
      }),
      { numRuns: 30 },
    );
    s.close();
  });

  it('answer BAD_USER_INPUT, naming the argument, for NUL and lone surrogates, in variables and literals', async () => {
    const login = await app.execute(LoginDocument, { input: { identifier: 'a\u0000@example.com', password: 'whatever 1' } });
    expect(codeOf(login)).toBe('BAD_USER_INPUT');
    expect(login.errors?.[0]?.extensions?.field).toBe('input.identifier');
    const name = await app.execute(CreateServiceAccountDocument, { name: 'w\uD800' }, { token: adminToken });
    expect(codeOf(name)).toBe('BAD_USER_INPUT');
    const literal = await app.post(
      { query: '{ resourceProgress(resourceId: "a\\u0000b") { resourceId } }' },
      { token: adminToken },
    );
    expect(codeOf(literal)).toBe('BAD_USER_INPUT');
    const after = cursor(['-271821-04-20T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']);
    const users = await app.post(
      { query: 'query($after: String) { users(after: $after) { pageInfo { hasNextPage } } }', variables: { after } },
      { token: adminToken },
    );
    expect(codeOf(users)).toBe('BAD_USER_INPUT');
  });
});

describe('database errors in the log', () => {
  it('carry the SQLSTATE and where it arose, never the values sent', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const failure = await app.orm.em
      .fork()
      .getConnection()
      .execute('select ?::int as n', ['secret-value-4711'])
      .catch((e: unknown) => e);
    expect(String((failure as Error).message)).toContain('secret-value-4711'); // what used to be logged
    log.error({ err: failure }, 'unexpected error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('secret-value-4711');
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: { sqlState: '22P02', message: 'database error 22P02' } });
  });
});
