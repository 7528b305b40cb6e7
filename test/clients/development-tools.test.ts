import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ NODE_ENV: 'development' });
});

describe('tools against a development server', () => {
  it('answer the standard introspection query (depth 15) with the whole schema', async () => {
    const res = await app.post<IntrospectionQuery>({
      query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }),
    });
    expect(res.errors, res.raw).toBeUndefined();
    const schema = buildClientSchema(res.data!);
    expect(schema.getQueryType()?.getFields()).toHaveProperty('me');
    expect(schema.getDirective('include')).toBeDefined();
    expect(printSchema(schema)).toContain('directive @rateLimit');
  });

  it('still refuse circular introspection', async () => {
    const query = `{ __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }`;
    const res = await app.post({ query });
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/Maximum introspection depth exceeded/);
  });

  it('let graphql-codegen generate the shipped client from the running server', async () => {
    const [target, output] = Object.entries(codegenConfig.generates)[0]!;
    const files = await generate(
      { ...codegenConfig, schema: `${app.url}/graphql`, generates: { [target]: output }, silent: true },
      false,
    );
    const byName = new Map(files.map((f: { filename: string; content: string }) => [f.filename.replace(/^.*\//, ''), f.content]));
    expect(byName.get('graphql.ts')).toContain('export const LoginDocument');
    // The same operations, typed the same way as from the committed schema.graphql.
    const committed = readFileSync('src/client/generated/gql.ts', 'utf8');
    expect(byName.get('gql.ts')).toBe(committed);
  });
});
