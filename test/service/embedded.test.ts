import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { execute } from '../helpers/graphql.js';
import { newAccount } from '../helpers/test-app.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// What `npm start` runs (tsx src/main.ts), without npm in between, so the signal and exit code are the service's own.
describe('starting with no configuration', () => {
  it('runs on the embedded Postgres, says so first, serves register/login/me, holds the data directory alone, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), EMBEDDED_DATA_DIR: dataDir, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // A service that ignores SIGTERM fails the test below; it must not outlive the run either.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    try {
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toContain('Tollgate is listening');
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ database: 'embedded', msg: expect.stringMatching(/embedded Postgres/) });

      const url = `http://127.0.0.1:${port}`;
      const account = newAccount();
      const reg = await execute(url, RegisterDocument, { input: account });
      expect(reg.errors).toBeUndefined();
      const login = await execute(url, LoginDocument, { input: { identifier: account.username!, password: account.password } });
      expect(login.errors).toBeUndefined();
      const me = await execute(url, MeDocument, {}, { token: login.data!.login.accessToken });
      expect(me.data?.me.email).toBe(account.email);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);

      // The data directory is the server's alone: a second process would keep its own copy, and the
      // last checkpoint would silently win. Each says who holds it and changes nothing.
      const [admin, migrate, second] = [
        run('src/cli/admin.ts', ['grant', account.email]),
        run('src/cli/migrate.ts'),
        run('src/main.ts', { PORT: String(await freePort()) }),
      ];
      const holder = `is in use by the Tollgate server (pid ${child.pid}`;
      expect(await admin.exited).toBe(1);
      expect(admin.output()).toContain(`npm run admin: nothing was changed. The embedded database in ${dataDir} ${holder}`);
      expect(admin.output()).toContain('stop the server, run npm run admin, then start the server again');
      expect(await migrate.exited).toBe(1);
      expect(migrate.output()).toContain(holder);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`Tollgate did not start. The embedded database in ${dataDir} ${holder}`);
      expect(admin.output() + migrate.output()).not.toMatch(/is now ADMIN|Applied|No pending/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    // Stopped, the server has let go of the directory.
    expect(existsSync(join(dataDir, 'tollgate.lock'))).toBe(false);
  }, 120_000);
});

/** Runs another entry point on the same data directory, as `npm run …` would (tsx), without npm in between. */
function run(script: string, extra: string[] | Record<string, string> = []) {
  const args = Array.isArray(extra) ? extra : [];
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, EMBEDDED_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: Array.isArray(extra) ? env : { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => out, exited };
}
