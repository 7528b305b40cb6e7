import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { buildBaseSchema, printSchemaFile } from '../../src/graphql/schema.js';

describe('committed artefacts match the code', () => {
  it('schema.graphql is what the resolvers emit (run `npm run schema` after changing the API)', async () => {
    const emitted = printSchemaFile(await buildBaseSchema());
    expect(readFileSync('schema.graphql', 'utf8')).toBe(emitted);
  });

  it('the contract names clients depend on are present', () => {
    const sdl = readFileSync('schema.graphql', 'utf8');
    for (const line of [
      'enum Tier {',
      'register(input: RegisterInput!): AuthPayload!',
      'login(input: LoginInput!): AuthPayload!',
      'me: User!',
      'accessTokenExpiresAt: DateTimeISO!',
      'refreshToken: String\n',
      'refreshTokenExpiresAt: DateTimeISO!',
      'lastLoginAt: DateTimeISO\n',
      'identifier: String!',
    ]) {
      expect(sdl).toContain(line);
    }
  });

  it('the typed documents in src/client/generated are what codegen makes (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...codegenConfig, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      expect(readFileSync(filename, 'utf8'), filename).toBe(content);
    }
  });
});
