import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { buildBaseSchema, printSchemaFile } from '../../src/graphql/schema.js';

describe('committed artefacts match the code', () => {
  it('schema.graphql is what the resolvers emit (run `npm run schema` after changing the API)', async () => {
    const emitted = printSchemaFile(await buildBaseSchema());
    expect(readFileSync('schema.graphql', 'utf8')).toBe(emitted);
  });

  it('the contract names clients depend on are present', () => {
    const schema = buildSchema(readFileSync('schema.graphql', 'utf8'));
    const typeOf = (coordinate: string) => {
      const [type, field, arg] = coordinate.split(/[.()]/);
      const f = (schema.getType(type!) as GraphQLObjectType).getFields()[field!];
      return String(arg ? f?.args.find((a) => a.name === arg)?.type : f?.type);
    };
    expect(schema.getType('Tier')).toBeDefined();
    expect(
      [
        'Mutation.register',
        'Mutation.register(input)',
        'Mutation.login',
        'Mutation.login(input)',
        'Query.me',
        'AuthPayload.accessTokenExpiresAt',
        'AuthPayload.refreshToken',
        'AuthPayload.refreshTokenExpiresAt',
        'User.lastLoginAt',
        'LoginInput.identifier',
      ].map((c) => `${c}: ${typeOf(c)}`),
    ).toEqual([
      'Mutation.register: RegisterResult!',
      'Mutation.register(input): RegisterInput!',
      'Mutation.login: AuthPayload!',
      'Mutation.login(input): LoginInput!',
      'Query.me: User!',
      'AuthPayload.accessTokenExpiresAt: DateTimeISO!',
      'AuthPayload.refreshToken: String',
      'AuthPayload.refreshTokenExpiresAt: DateTimeISO!',
      'User.lastLoginAt: DateTimeISO',
      'LoginInput.identifier: String!',
    ]);
  });

  it('the typed documents in src/client/generated are what codegen makes (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...codegenConfig, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      expect(readFileSync(filename, 'utf8'), filename).toBe(content);
    }
  });
});
