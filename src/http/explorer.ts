import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run explorer` (explorer/build.ts) puts GraphiQL, built from the project's own dependencies. */
export const explorerDir = fileURLToPath(new URL('../../.data/explorer/', import.meta.url));
export const EXPLORER_PATH = '/explorer';

export interface StaticFile {
  status: number;
  contentType: string;
  body: Buffer | string;
  headers: Record<string, string>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// GraphiQL runs Monaco (workers from this origin, inline styles) and talks to /graphql on this origin only.
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Explorer not built</title>
<p>The offline explorer is not built yet. Run <code>npm run explorer</code> (it runs by itself before <code>npm start</code>),
then reload. Apollo Sandbox, which needs the internet, is at <a href="/graphql">/graphql</a>.</p>`;

/**
 * Serves the built explorer under /explorer (development only). The files are the build's own, listed once
 * from disk: a request names one of them exactly or gets nothing, so no path can reach outside the folder.
 */
export function explorerFiles(dir: string = explorerDir): (pathname: string) => Promise<StaticFile | null> {
  let listing: Promise<Map<string, string>> | null = null;
  const list = async () => {
    const files = new Map<string, string>();
    try {
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || entry.name.startsWith('.')) continue;
        const path = join(entry.parentPath, entry.name);
        files.set(`${EXPLORER_PATH}/${relative(dir, path).split(sep).join('/')}`, path);
      }
    } catch {
      // not built: answered below
    }
    return files;
  };
  return async (pathname) => {
    if (pathname !== EXPLORER_PATH && !pathname.startsWith(`${EXPLORER_PATH}/`)) return null;
    listing ??= list();
    const files = await listing;
    // Built after this server started: look again (the folder is small, and this is development).
    if (files.size === 0) listing = null;
    const page = pathname === EXPLORER_PATH || pathname === `${EXPLORER_PATH}/` ? `${EXPLORER_PATH}/index.html` : pathname;
    const file = files.get(page);
    const headers = { 'content-security-policy': csp };
    if (!file) {
      if (files.size === 0 && page.endsWith('index.html'))
        return { status: 503, contentType: types['.html']!, body: notBuilt, headers };
      return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found', headers };
    }
    const immutable = page.startsWith(`${EXPLORER_PATH}/assets/`);
    return {
      status: 200,
      contentType: types[extname(file)] ?? 'application/octet-stream',
      body: await readFile(file),
      // Asset names carry a hash of their content; the page itself must be fetched afresh.
      headers: { ...headers, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-store' },
    };
  };
}
