import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/db/data-dir-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('creates a data directory that does not exist yet, as on the first start on a fresh machine', () => {
    const fresh = join(dir, 'not-yet', 'pglite');
    const release = lockDataDir(fresh, 'the Tollgate server');
    expect(existsSync(join(fresh, 'tollgate.lock'))).toBe(true);
    release();
  });

  it('refuses a second holder while the first lives, naming it, and frees the directory on release', () => {
    const release = lockDataDir(dir, 'the Tollgate server');
    let refusal: unknown;
    try {
      lockDataDir(dir, 'npm run admin');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    expect((refusal as Error).message).toContain(`in use by the Tollgate server (pid ${process.pid}, since `);
    release();
    expect(existsSync(join(dir, 'tollgate.lock'))).toBe(false);
    lockDataDir(dir, 'npm run admin')();
  });

  it('takes over a lock left by a process that died', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, 'tollgate.lock'), JSON.stringify({ pid: dead, owner: 'the Tollgate server', since: 'earlier' }));
    const release = lockDataDir(dir, 'npm run migrate');
    expect(JSON.parse(readFileSync(join(dir, 'tollgate.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      owner: 'npm run migrate',
    });
    release();
  });
});
