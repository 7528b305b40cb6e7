import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';
import { createTestApp } from '../helpers/test-app.js';
import { productionEnv } from '../helpers/ws.js';

/** Starts src/main.ts as `npm run start:prod` does (with --production), with only the environment given. */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

const children: ReturnType<typeof spawn>[] = [];
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  // A server a failed assertion left running must not outlive the file.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await db?.drop();
});

describe('npm run start:prod', () => {
  it('runs dist/main.js with --production, which needs no NODE_ENV from the shell', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).toMatch(/^node .*dist\/main\.js --production$/);
  });

  it('starts in production without NODE_ENV: it demands the production settings', async () => {
    const server = start(['--production'], {});
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('JWT_SIGNING_KEYS: is required in production');
    expect(server.stderr()).toContain('DATABASE_URL: is required in production');
    expect(server.stdout()).not.toContain('listening');
  });

  it('refuses a NODE_ENV that says otherwise, naming it', async () => {
    const server = start(['--production'], { NODE_ENV: 'development' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(
      /^Tollgate did not start\. Invalid configuration:\n {2}- NODE_ENV: is "development", but start:prod runs only in production/,
    );
    expect(server.stdout()).not.toContain('listening');
  });

  it('refuses to start on a database with pending migrations, saying how to apply them; starts once they are', async () => {
    const env = { ...(await productionEnv()), DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    delete (env as Record<string, string>).NODE_ENV;
    const unmigrated = start(['--production'], env);
    expect(await unmigrated.exited).toBe(1);
    const stderr = unmigrated.stderr();
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Tollgate did not start\. The database has \d+ pending migrations \(Migration\d+_initial, /);
    expect(stderr).toContain('npm run migrate');
    expect(stderr).toContain('node dist/cli/migrate.js');
    expect(unmigrated.stdout()).not.toContain('listening');

    const migrated = spawn(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: db.url },
    });
    expect(await new Promise((resolve) => migrated.on('exit', resolve))).toBe(0);

    const server = start(['--production'], { ...env, LOG_LEVEL: 'info' });
    try {
      await expect.poll(server.stdout, { timeout: 60_000, interval: 200 }).toContain('Tollgate is listening');
      const line = server
        .stdout()
        .split('\n')
        .map((l) => JSON.parse(l || '{}') as { url?: string; env?: string })
        .find((l) => l.url);
      expect(line?.env).toBe('production');
      const ready = await fetch(line!.url!.replace(/\/graphql$/, '/health/ready'));
      expect(ready.status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  }, 120_000);
});

describe('the app on an unmigrated database', () => {
  it('refuses to build when MIGRATE_ON_START is off and migrations are pending, naming them', async () => {
    await expect(createTestApp(await productionEnv({ MIGRATE_ON_START: 'false' }))).rejects.toThrow(
      /^The database has \d+ pending migrations \(Migration\d+_initial, .*\): run npm run migrate/,
    );
  });
});
