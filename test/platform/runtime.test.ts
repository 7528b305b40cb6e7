import { readFileSync } from 'node:fs';
import { buildSchema, execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('the runtime', () => {
  it('is the Node the project pins, whatever the machine ships: npm scripts run node_modules/.bin/node', () => {
    // A machine with an older system Node still runs the suite on the pinned one; if this fails, a script
    // bypasses npm (or node_modules/.bin is not first on the PATH) and the tests ran on the wrong Node.
    expect(process.versions.node).toBe(pkg.devDependencies.node);
    expect(pkg.engines.node).toBe(`>=${pkg.devDependencies.node?.split('.')[0]}`);
  });
});

describe('graphql-shield on this Node', () => {
  // graphql-shield 7.6.5 (its last release) imports util.isUndefined, which Node 23 removed: its ES module
  // build fails to load and chain/race throw at run time. patches/graphql-shield+7.6.5.patch, applied by
  // patch-package at install, replaces it; these fail if the patch is not applied.
  it('loads its ES module build and runs chain and race rules', async () => {
    const { chain, race, rule, shield, allow, deny } = await import('graphql-shield');
    const { applyMiddleware } = await import('graphql-middleware');
    const schema = buildSchema('type Query { chained: String, raced: String, refused: String }');
    const seen: string[] = [];
    const yes = rule({ cache: 'no_cache' })(() => {
      seen.push('yes');
      return true;
    });
    const no = rule({ cache: 'no_cache' })(() => false);
    const guarded = applyMiddleware(
      schema,
      shield(
        { Query: { chained: chain(yes, allow), raced: race(no, yes), refused: chain(yes, deny) } },
        { fallbackError: () => new Error('refused') },
      ),
    );
    const rootValue = { chained: () => 'c', raced: () => 'r', refused: () => 'x' };
    const result = await execute({ schema: guarded, document: parse('{ chained raced refused }'), rootValue, contextValue: {} });
    expect(result.data).toEqual({ chained: 'c', raced: 'r', refused: null });
    expect(result.errors?.map((e) => e.message)).toEqual(['refused']);
    expect(seen).toEqual(['yes', 'yes', 'yes']);
  });
});
