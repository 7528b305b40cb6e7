import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** Where the compiled service and floor servers land; everything measured runs as plain `node`, as in production. */
export const buildDir = '.data/bench-build';

/**
 * Compiles src/ and bench/ with tsc, so the measured processes carry no TypeScript loader: under tsx
 * the service held about 80 MB more and paid for on-the-fly transforms.
 */
export function buildForBench(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'bench/tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** The compiled path of a TypeScript entry point given relative to the repository root. */
export const compiled = (script: string) => `${buildDir}/${script.replace(/\.ts$/, '.js')}`;
