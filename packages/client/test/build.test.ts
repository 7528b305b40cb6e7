import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
};
const outDir = mkdtempSync(join(tmpdir(), 'tollgate-client-build-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the published build', () => {
  it('tsc emits an ES module with types for every entry, and the core loads with no dependency', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', outDir]);
    const entries = Object.entries(manifest.exports).filter(([name]) => name !== './package.json');
    expect(entries.map(([name]) => name)).toEqual(['.', './apollo', './react', './documents']);
    for (const [, target] of entries) {
      if (typeof target === 'string') throw new Error('every entry has types and code');
      for (const file of [target.types, target.default])
        expect(existsSync(join(outDir, file.replace('./dist/', ''))), file).toBe(true);
    }
    // Run from outside any node_modules: the core and the documents import nothing at run time.
    const core = await import(pathToFileURL(join(outDir, 'index.js')).href);
    expect(typeof core.createTollgate).toBe('function');
    const documents = await import(pathToFileURL(join(outDir, 'documents.js')).href);
    expect(documents.LoginDocument.kind).toBe('Document');
    expect(Object.keys(manifest.dependencies)).toEqual(['@graphql-typed-document-node/core']);
  }, 120_000);
});
