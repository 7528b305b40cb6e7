import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** The browser suite: the example SPA in Chromium against a real Tollgate (`npm run test:e2e`). */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/e2e/**/*.e2e.ts'],
    hookTimeout: 120_000,
    outputFile: { json: '.data/e2e-results.json' },
  },
});
