import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('start-up', () => {
  it('refuses a bad configuration, naming the variable, and exits non-zero', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ACCESS_TOKEN_TTL_MINUTES: '90' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('ACCESS_TOKEN_TTL_MINUTES');
    expect(result.stderr).toContain('JWT_SIGNING_KEYS: is required in production');
    expect(result.stderr).toContain('DATABASE_URL: is required in production');
    expect(result.stdout).not.toContain('listening');
  });
});
