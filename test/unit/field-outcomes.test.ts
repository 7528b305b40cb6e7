import fc from 'fast-check';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { boundedOutcome, knownOutcomes, loginOutcome, rootFieldOutcomes } from '../../src/graphql/field-outcomes.js';
import { statementName } from '../../src/observability/instrument.js';

const schema = buildSchema(`
  type Query { me: String, users: String }
  type Mutation { login: String }
`);

const outcomesOf = (query: string, errors: { path?: string[]; extensions?: Record<string, unknown> }[] = []) => {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return rootFieldOutcomes(
    schema,
    document,
    operation,
    errors.map((e) => ({ message: 'x', ...e })),
  );
};

describe('rootFieldOutcomes', () => {
  it('names fields by the schema, whatever the alias, and takes the code of the error at that key', () => {
    expect(outcomesOf('{ a: me b: me users }', [{ path: ['b'], extensions: { code: 'RATE_LIMITED' } }])).toEqual([
      { field: 'Query.me', outcome: 'ok' },
      { field: 'Query.me', outcome: 'RATE_LIMITED' },
      { field: 'Query.users', outcome: 'ok' },
    ]);
    expect(outcomesOf('mutation { login }', [{ path: ['login'], extensions: { code: 'INVALID_CREDENTIALS' } }])).toEqual([
      { field: 'Mutation.login', outcome: 'INVALID_CREDENTIALS' },
    ]);
  });

  it('follows fragments at the root and leaves out introspection and unknown fields', () => {
    expect(
      outcomesOf('query { ...F __typename __schema { __typename } nope } fragment F on Query { ... on Query { users } }'),
    ).toEqual([{ field: 'Query.users', outcome: 'ok' }]);
  });

  it('never returns a label value outside the schema’s root fields and the known codes, whatever the client sends', () => {
    const name = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,12}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, fc.constantFrom('me', 'users', 'nope', '__typename')), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(name, fc.string()), { maxLength: 5 }),
        (fields, errors) => {
          const query = `{ ${fields.map(([alias, field], i) => `${alias}${i}: ${field}`).join(' ')} }`;
          const outcomes = outcomesOf(
            query,
            errors.map(([key, code]) => ({ path: [key], extensions: { code } })),
          );
          for (const { field, outcome } of outcomes) {
            expect(['Query.me', 'Query.users']).toContain(field);
            expect(knownOutcomes.has(outcome) || outcome === 'other').toBe(true);
          }
        },
      ),
    );
  });

  it('counts nothing for an operation that did not resolve', () => {
    expect(rootFieldOutcomes(schema, undefined, undefined, [])).toEqual([]);
  });
});

describe('boundedOutcome and loginOutcome', () => {
  it('keep known codes and fold the rest', () => {
    expect(boundedOutcome('FORBIDDEN')).toBe('FORBIDDEN');
    expect(boundedOutcome('MADE_UP')).toBe('other');
    expect(boundedOutcome('ok')).toBe('other');
    expect(boundedOutcome(undefined)).toBe('other');
    expect(loginOutcome('ok')).toBe('success');
    expect(loginOutcome('INVALID_CREDENTIALS')).toBe('invalid_credentials');
    expect(loginOutcome('RATE_LIMITED')).toBe('throttled');
    expect(loginOutcome('INTERNAL_SERVER_ERROR')).toBe('error');
  });
});

describe('statementName', () => {
  it('is the verb, lower-cased, and never the statement itself', () => {
    expect(statementName('SELECT id FROM app_user WHERE email = $1')).toBe('db select');
    expect(statementName('  with x as (select 1) update session set revoked_at = now()')).toBe('db update');
    expect(statementName('insert into audit_entry (id) values ($1)')).toBe('db insert');
    expect(statementName('vacuum')).toBe('db query');
  });
});
