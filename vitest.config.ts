import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql module for the whole run: two copies fail with "another module or realm".
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql/index.js') },
      // @tollgate/client from its source, so its tests and the server's need no build of it first.
      { find: /^@tollgate\/client$/, replacement: fileURLToPath(new URL('packages/client/src/index.ts', import.meta.url)) },
      {
        find: /^@tollgate\/client\/(apollo|react|documents)$/,
        replacement: fileURLToPath(new URL('packages/client/src/$1.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    pool: 'forks',
    // Three files at a time on CI's 2 cores: the suites mostly wait on Postgres, Redis and servers of their
    // own, so the whole run took 213 s against 408 s with vitest's default (one per core) on this machine.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.data/test-results.json' },
  },
});
