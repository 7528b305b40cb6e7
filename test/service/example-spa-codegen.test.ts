import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import exampleConfig from '../../examples/spa/codegen.js';

const exampleDir = fileURLToPath(new URL('../../examples/spa/', import.meta.url));
const inExample = (path: string) => (path.startsWith('!') ? `!${join(exampleDir, path.slice(1))}` : join(exampleDir, path));

describe('the example SPA', () => {
  it('has typed documents that match schema.graphql (run `npm run codegen` in examples/spa)', async () => {
    // The example's own config with its paths made absolute: run from here, so the root's codegen
    // packages (same versions) are used and the example need not be installed.
    const outputs = await generate(
      {
        ...exampleConfig,
        schema: inExample(String(exampleConfig.schema)),
        documents: (exampleConfig.documents as string[]).map(inExample),
        generates: Object.fromEntries(Object.entries(exampleConfig.generates).map(([path, output]) => [inExample(path), output])),
        silent: true,
      },
      false,
    );
    expect(outputs.map((o: { filename: string }) => o.filename.replace(exampleDir, '')).sort()).toEqual([
      'src/gql/gql.ts',
      'src/gql/graphql.ts',
      'src/gql/index.ts',
    ]);
    for (const { filename, content } of outputs) {
      expect(readFileSync(filename, 'utf8'), filename).toBe(content);
    }
  });
});
