import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExplorer } from '../../explorer/build.js';
import { explorerFiles } from '../../src/http/explorer.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  // Built from node_modules when its inputs changed (a few seconds to check, ~20 s to build here).
  await buildExplorer();
  app = await createTestApp({ NODE_ENV: 'development' });
}, 240_000);

const empty = mkdtempSync(join(tmpdir(), 'tollgate-explorer-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** A request with the path exactly as written (fetch would normalise `..` away). */
function raw(path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

/** Every asset a text file references: the HTML's src/href, and the hashed file names chunks, workers and CSS name. */
function referencesIn(text: string, type: string): string[] {
  const found = new Set<string>();
  if (type.startsWith('text/html')) for (const [, ref] of text.matchAll(/\s(?:src|href)="([^"]+)"/g)) found.add(ref!);
  for (const [name] of text.matchAll(/[\w.-]+-[\w-]{8}\.(?:js|css|ttf|woff2?)\b/g)) found.add(`/explorer/assets/${name}`);
  return [...found];
}

describe('the offline explorer (development)', () => {
  it('serves GraphiQL and every asset it references from this server, none from elsewhere', async () => {
    const page = await fetch(`${app.url}/explorer`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="graphiql">');

    const queue = referencesIn(html, 'text/html').filter((ref) => !ref.startsWith('data:'));
    // Nothing from a CDN: every reference of the page is a path on this server.
    expect(queue.filter((ref) => !ref.startsWith('/explorer/'))).toEqual([]);
    const fetched = new Map<string, string>();
    while (queue.length) {
      const path = queue.shift()!;
      if (fetched.has(path)) continue;
      const res = await fetch(`${app.url}${path}`);
      expect(res.status, path).toBe(200);
      const type = res.headers.get('content-type') ?? '';
      fetched.set(path, type);
      if (/javascript|css/.test(type)) {
        const text = await res.text();
        expect(text, `${path} imports code from another origin`).not.toMatch(/(?:import\(|from)\s*["']https?:/);
        queue.push(...referencesIn(text, type));
      } else await res.arrayBuffer();
    }
    const names = [...fetched.keys()];
    expect(
      names.some((n) => /\/graphql\.worker-.*\.js$/.test(n)),
      'the GraphQL language worker',
    ).toBe(true);
    expect(
      names.some((n) => /\/editor\.worker-.*\.js$/.test(n)),
      'the editor worker',
    ).toBe(true);
    expect(names.some((n) => n.endsWith('.css'))).toBe(true);
    expect(fetched.get(names.find((n) => n.endsWith('.js'))!)).toMatch(/^text\/javascript/);
  });

  it('serves the build’s own files only: no path outside it, no hidden file, nothing but GET', async () => {
    for (const path of [
      '/explorer/../package.json',
      '/explorer/assets/../../../package.json',
      '/explorer/.stamp',
      '/explorer/nope.js',
    ])
      expect((await raw(path)).status, path).toBe(404);
    expect((await raw('/explorer/', 'POST')).status).toBe(405);
  });

  it('keeps Apollo Sandbox, the online option, at /graphql', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it('says how to build it when it is not built', async () => {
    const serve = explorerFiles(empty);
    const answer = await serve('/explorer/');
    expect(answer?.status).toBe(503);
    expect(String(answer?.body)).toContain('npm run explorer');
    expect(await serve('/graphql')).toBeNull();
  });

  it('is not served outside development', async () => {
    const test = await createTestApp();
    expect((await fetch(`${test.url}/explorer/`)).status).toBe(404);
  });
});
