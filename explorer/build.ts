/**
 * Builds the offline explorer (GraphiQL, from node_modules) into .data/explorer when its inputs changed:
 * `npm run explorer`, and before `npm start`. Without Vite (a production install) it says so and stops.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

function stampOf(): string {
  const hash = createHash('sha256');
  for (const file of ['index.html', 'main.ts', 'vite.config.ts', 'build.ts']) hash.update(readFileSync(join(here, file)));
  for (const pkg of ['graphiql', 'react', 'react-dom', 'vite']) hash.update(`${pkg}@${require(`${pkg}/package.json`).version}`);
  return hash.digest('hex');
}

/** Builds unless the last build had the same inputs. Returns the output directory. */
export async function buildExplorer(): Promise<string> {
  const { default: config, explorerOutDir } = await import('./vite.config.js');
  const stampFile = join(explorerOutDir, '.stamp');
  const stamp = stampOf();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return explorerOutDir;
  const { build } = await import('vite');
  await build({ ...config, configFile: false });
  mkdirSync(explorerOutDir, { recursive: true });
  writeFileSync(stampFile, stamp);
  return explorerOutDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    require.resolve('vite');
    require.resolve('graphiql/package.json');
  } catch {
    console.log('explorer: Vite or GraphiQL is not installed (a production install?); /explorer stays unbuilt.');
    process.exit(0);
  }
  const started = Date.now();
  const dir = await buildExplorer();
  console.log(`explorer: ready in ${dir} (${Math.round((Date.now() - started) / 100) / 10} s)`);
}
