import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
};

describe('parseConfig', () => {
  it('fills development defaults: embedded database, OWASP argon2, 15-minute tokens, introspection and Sandbox on', () => {
    const config = parseConfig({});
    expect(config.env).toBe('development');
    expect(config.database).toEqual({
      kind: 'embedded',
      dataDir: '.data/pglite',
      migrateOnStart: true,
      timeouts: { acquireMs: 2000, statementMs: 5000 },
    });
    expect(config.argon2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(config.tokens.accessTtlSeconds).toBe(900);
    expect(config.tokens.signingKeys).toBeNull();
    expect(config.graphql).toMatchObject({ introspection: true, landingPage: true, hideSchemaDetails: false });
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(config.browser.corsOrigins).toEqual(expect.arrayContaining(['http://localhost:5173', 'http://127.0.0.1:5173']));
    expect(config.subscriptions).toEqual({
      connectionInitTimeoutMs: 2000,
      maxSocketsPerAddress: 50,
      maxSocketsPerUser: 10,
      maxPerSocket: 20,
      maxPerUser: 50,
    });
  });

  it('takes DATABASE_DIRECT_URL as a pooler beside it, with prepared statements off unless turned on', () => {
    const direct = parseConfig({ DATABASE_URL: 'postgres://db:5432/t' }).database;
    expect(direct).toMatchObject({ directUrl: 'postgres://db:5432/t', pooled: false, preparedStatements: true });
    const pooled = { DATABASE_URL: 'postgres://pooler:6432/t', DATABASE_DIRECT_URL: 'postgres://db:5432/t' };
    expect(parseConfig(pooled).database).toMatchObject({
      url: 'postgres://pooler:6432/t',
      directUrl: 'postgres://db:5432/t',
      pooled: true,
      preparedStatements: false,
    });
    expect(parseConfig({ ...pooled, DATABASE_PREPARED_STATEMENTS: 'on' }).database).toMatchObject({ preparedStatements: true });
    expect(parseConfig({ DATABASE_URL: 'postgres://db/t', DATABASE_PREPARED_STATEMENTS: 'off' }).database).toMatchObject({
      pooled: false,
      preparedStatements: false,
    });
    expect(problemsOf({ DATABASE_DIRECT_URL: 'postgres://db:5432/t' })).toMatch(/DATABASE_DIRECT_URL: needs DATABASE_URL/);
    expect(problemsOf({ DATABASE_URL: 'postgres://db/t', DATABASE_PREPARED_STATEMENTS: 'yes' })).toMatch(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });

  it('reaches Redis by one URL, through Sentinels naming a master, or as a Cluster, never two at once', () => {
    expect(parseConfig({ REDIS_URL: 'redis://r:6379' }).redis?.target).toEqual({ kind: 'url', url: 'redis://r:6379' });
    expect(parseConfig({ REDIS_SENTINELS: 's1:26379, [::1]:26380', REDIS_SENTINEL_NAME: 'main' }).redis?.target).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'main',
    });
    expect(parseConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' }).redis?.target).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
    });
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379' })).toMatch(/REDIS_SENTINEL_NAME: is required/);
    expect(problemsOf({ REDIS_URL: 'redis://r', REDIS_CLUSTER_NODES: 'a:7000' })).toMatch(
      /set only one of REDIS_URL, REDIS_CLUSTER_NODES/,
    );
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000,b' })).toMatch(/REDIS_CLUSTER_NODES: .*not b/);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:70000' })).toMatch(/REDIS_CLUSTER_NODES/);
  });

  it('allows only the configured browser origins outside development, and replaces the dev list when set', async () => {
    const keys = JSON.stringify([await generateSigningJwk()]);
    expect(parseConfig({ NODE_ENV: 'test' }).browser.corsOrigins).toEqual([]);
    expect(
      parseConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/t',
        JWT_SIGNING_KEYS: keys,
        AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
        MAIL_ENABLED: 'false',
      }).browser.corsOrigins,
    ).toEqual([]);
    expect(parseConfig({ CORS_ORIGINS: 'http://localhost:8080/' }).browser.corsOrigins).toEqual(['http://localhost:8080']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ACCESS_TOKEN_TTL_MINUTES: '4' }, 'ACCESS_TOKEN_TTL_MINUTES'],
    [{ ACCESS_TOKEN_TTL_MINUTES: '61' }, 'ACCESS_TOKEN_TTL_MINUTES'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ARGON2_MEMORY_KIB: '1024' }, 'ARGON2_MEMORY_KIB'],
    [{ MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START'],
    [{ JWT_SIGNING_KEYS: 'not json' }, 'JWT_SIGNING_KEYS'],
    [{ JWT_SIGNING_KEYS: '[]' }, 'JWT_SIGNING_KEYS'],
    [{ JWT_SIGNING_KEYS: '[{"kty":"RSA","kid":"a"}]' }, 'JWT_SIGNING_KEYS'],
  ])('refuses %j, naming the variable', (env, variable) => {
    expect(problemsOf(env)).toContain(variable);
  });

  it('refuses a key list whose first key cannot sign, and duplicate kids', async () => {
    const { d: _d, ...publicOnly } = await generateSigningJwk();
    expect(problemsOf({ JWT_SIGNING_KEYS: JSON.stringify([publicOnly]) })).toMatch(/JWT_SIGNING_KEYS.*private/);
    const key = await generateSigningJwk();
    expect(problemsOf({ JWT_SIGNING_KEYS: JSON.stringify([key, key]) })).toMatch(/JWT_SIGNING_KEYS.*kid/);
  });

  it('refuses to run production without signing keys, a database URL or an HMAC key', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toContain('JWT_SIGNING_KEYS: is required in production');
    expect(problems).toContain('DATABASE_URL: is required in production');
    expect(problems).toContain('AUTH_HMAC_KEY: is required in production');
    expect(problemsOf({ AUTH_HMAC_KEY: 'too-short' })).toContain('AUTH_HMAC_KEY');
  });

  it('turns introspection, Sandbox and schema hints off in production unless introspection is asked for', async () => {
    const keys = JSON.stringify([await generateSigningJwk()]);
    const base = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/tollgate',
      JWT_SIGNING_KEYS: keys,
      AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
      MAIL_ENABLED: 'false',
    };
    const prod = parseConfig(base);
    expect(prod.graphql).toMatchObject({ introspection: false, landingPage: false, hideSchemaDetails: true });
    expect(prod.database).toMatchObject({ kind: 'server', migrateOnStart: false });
    expect(parseConfig({ ...base, GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });

  it('refuses production without SMTP and the SPA’s links unless mail is turned off', async () => {
    const keys = JSON.stringify([await generateSigningJwk()]);
    const base = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/tollgate',
      JWT_SIGNING_KEYS: keys,
      AUTH_HMAC_KEY: randomBytes(32).toString('base64url'),
    };
    const problems = problemsOf(base);
    for (const name of [
      'SMTP_URL',
      'MAIL_FROM',
      'EMAIL_VERIFY_URL',
      'PASSWORD_RESET_URL',
      'EMAIL_CHANGE_URL',
      'EMAIL_CHANGE_REVERT_URL',
      'OUTBOX_KEYS',
    ]) {
      expect(problems).toContain(`${name}: is required in production unless MAIL_ENABLED=false`);
    }
    const mail = parseConfig({
      ...base,
      SMTP_URL: 'smtps://user:pw@smtp.example.com',
      MAIL_FROM: 'Example <no-reply@example.com>',
      EMAIL_VERIFY_URL: 'https://app.example.com/verify-email?token={token}',
      PASSWORD_RESET_URL: 'https://app.example.com/reset?token={token}',
      EMAIL_CHANGE_URL: 'https://app.example.com/email?token={token}',
      OUTBOX_KEYS: `k1:${randomBytes(32).toString('base64url')}`,
      EMAIL_CHANGE_REVERT_URL: 'https://app.example.com/email-undo?token={token}',
    }).mail;
    expect(mail).toMatchObject({ enabled: true, smtpUrl: 'smtps://user:pw@smtp.example.com' });
    // With mail, production's sign-up reveals nothing by default (verify-first); without it, it cannot.
    expect(
      parseConfig({
        ...base,
        SMTP_URL: 'smtps://user:pw@smtp.example.com',
        MAIL_FROM: 'Example <no-reply@example.com>',
        EMAIL_VERIFY_URL: 'https://app.example.com/verify-email?token={token}',
        PASSWORD_RESET_URL: 'https://app.example.com/reset?token={token}',
        EMAIL_CHANGE_URL: 'https://app.example.com/email?token={token}',
        EMAIL_CHANGE_REVERT_URL: 'https://app.example.com/email-undo?token={token}',
        OUTBOX_KEYS: `k1:${randomBytes(32).toString('base64url')}`,
      }).accounts,
    ).toEqual({ signupMode: 'verify-first', requireVerifiedEmail: true });
    expect(parseConfig({ ...base, MAIL_ENABLED: 'false' }).accounts.signupMode).toBe('open');
    expect(parseConfig({}).accounts).toEqual({ signupMode: 'open', requireVerifiedEmail: false });
    expect(parseConfig({ SIGNUP_MODE: 'verify-first' }).accounts.requireVerifiedEmail).toBe(true);
    expect(problemsOf({ SIGNUP_MODE: 'verify-first', MAIL_ENABLED: 'false' })).toContain('SIGNUP_MODE: verify-first needs mail');
    expect(parseConfig({ ...base, MAIL_ENABLED: 'false' }).mail.enabled).toBe(false);
    expect(problemsOf({ EMAIL_VERIFY_URL: 'https://app.example.com/verify' })).toContain(
      'EMAIL_VERIFY_URL: must contain {token}, where the email token goes',
    );
  });

  it('reads OUTBOX_KEYS as kid:key pairs of 32-byte keys with distinct kids, the first sealing', () => {
    const [a, b] = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    expect(parseConfig({ OUTBOX_KEYS: `new:${a}, old:${b}` }).mail.outboxKeys).toEqual([
      { kid: 'new', key: a },
      { kid: 'old', key: b },
    ]);
    expect(parseConfig({}).mail.outboxKeys).toBeNull();
    expect(problemsOf({ OUTBOX_KEYS: `k:${randomBytes(16).toString('base64url')}` })).toContain('OUTBOX_KEYS');
    expect(problemsOf({ OUTBOX_KEYS: a })).toContain('OUTBOX_KEYS');
    expect(problemsOf({ OUTBOX_KEYS: `k:${a},k:${b}` })).toMatch(/OUTBOX_KEYS.*distinct kid/);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '' }).http.port).toBe(4000);
  });
});
