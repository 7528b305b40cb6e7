import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../helpers/database.js';
import { createTestApp, signUp } from '../helpers/test-app.js';

/** A CLI as an operator runs it: its own process, only the environment given here (no .env: production). */
function run(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** One readable line on stderr: no stack frame, no multi-line dump. */
const oneLine = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |ConfigError|node:internal/);
};

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const production = () => ({ NODE_ENV: 'production', DATABASE_URL: db.url });

describe('migrate, admin and keygen in production', () => {
  it('migrate needs only DATABASE_URL: it applies every migration, then finds none pending', async () => {
    const first = await run('src/cli/migrate.ts', [], production());
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^Applied: Migration\d+_initial, /);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select count(*)::int as n from information_schema.tables where table_name = 'app_user'`,
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
    const again = await run('src/cli/migrate.ts', [], production());
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('No pending migrations.\n');
  });

  it('admin needs only DATABASE_URL: it grants ADMIN to a user who signed up', async () => {
    const app = await createTestApp();
    const { account } = await signUp(app);
    const granted = await run('src/cli/admin.ts', ['grant', account.email], {
      NODE_ENV: 'production',
      DATABASE_URL: app.databaseUrl,
    });
    expect(granted.stderr).toBe('');
    expect(granted.status).toBe(0);
    expect(granted.stdout).toBe(`${account.email} is now ADMIN.\n`);
    const rows = await app.orm.em.getConnection().execute(`select tier from app_user where email = ?`, [account.email]);
    expect(rows[0]?.tier).toBe('ADMIN');

    const unknown = await run('src/cli/admin.ts', ['grant', 'nobody@example.com'], {
      NODE_ENV: 'production',
      DATABASE_URL: app.databaseUrl,
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('npm run admin: no user with the email nobody@example.com; nothing was changed.\n');
  });

  it.each([
    ['src/cli/migrate.ts', []],
    ['src/cli/admin.ts', ['grant', 'someone@example.com']],
  ])('%s without DATABASE_URL in production says so in one line', async (script, args) => {
    const result = await run(script, args, { NODE_ENV: 'production' });
    expect(result.status).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toContain('DATABASE_URL: is required in production');
    expect(result.stderr).not.toMatch(/JWT_SIGNING_KEYS|AUTH_HMAC_KEY|SMTP_URL/);
  });

  it.each([
    ['src/cli/migrate.ts', []],
    ['src/cli/admin.ts', ['grant', 'someone@example.com']],
  ])('%s on an unreachable database says so in one line, without the password', async (script, args) => {
    const result = await run(script, args, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://tollgate:s3cret-password@127.0.0.1:1/tollgate',
      DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
    });
    expect(result.status).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/cannot reach the database/);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(result.stderr).not.toContain('s3cret-password');
  });

  it('a malformed DATABASE_URL is named in one line', async () => {
    const result = await run('src/cli/migrate.ts', [], { NODE_ENV: 'production', DATABASE_URL: 'mysql://x/y' });
    expect(result.status).toBe(1);
    oneLine(result.stderr);
    expect(result.stderr).toContain('DATABASE_URL');
  });

  it('admin with a wrong command prints its usage in one line and exits 2', async () => {
    const result = await run('src/cli/admin.ts', ['promote'], production());
    expect(result.status).toBe(2);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/^npm run admin: usage: npm run admin -- grant <email> \| npm run admin -- revoke <email>$/m);
  });

  it('keygen needs nothing: it prints keys the production configuration accepts', async () => {
    const result = await run('src/cli/keygen.ts', [], { NODE_ENV: 'production' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const keys = /^JWT_SIGNING_KEYS='(.+)'$/.exec(lines[0]!)?.[1];
    const hmac = /^AUTH_HMAC_KEY=([A-Za-z0-9_-]+)$/.exec(lines[1]!)?.[1];
    const outbox = /^OUTBOX_KEYS=([A-Za-z0-9-]+:[A-Za-z0-9_-]+)$/.exec(lines[2]!)?.[1];
    expect(keys && hmac && outbox).toBeTruthy();
    const { parseConfig } = await import('../../src/config.js');
    const config = parseConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/t',
      MAIL_ENABLED: 'false',
      JWT_SIGNING_KEYS: keys!,
      AUTH_HMAC_KEY: hmac!,
      OUTBOX_KEYS: outbox!,
    });
    expect(config.tokens.signingKeys).toHaveLength(1);
  });
});
