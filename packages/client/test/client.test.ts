import { describe, expect, it } from 'vitest';
import { createTollgate, errorInfo, readSignIn, TollgateError } from '../src/index.js';
import { fakeTollgate, graphqlError } from './fake-tollgate.js';
import { manualTime, memoryStorage } from './fakes.js';

function setUp(initialStorage: Record<string, string> = {}) {
  const time = manualTime();
  const server = fakeTollgate(time.now);
  const storage = memoryStorage(initialStorage);
  const client = createTollgate({
    url: 'https://id.example.com/graphql',
    fetch: server.fetch,
    storage,
    locks: null,
    channel: null,
    now: time.now,
    timers: time.timers,
  });
  return { time, server, storage, client };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe('createTollgate', () => {
  it('speaks cookie mode: every request says x-token-delivery: cookie and sends credentials', async () => {
    const { server, client } = setUp();
    await client.start();
    await client.login({ identifier: 'ada', password: 'a fine passphrase' });
    for (const call of server.calls) {
      expect(call.headers['x-token-delivery']).toBe('cookie');
      expect(call.credentials).toBe('include');
    }
    expect(server.calls.map((c) => c.operationName)).toEqual(['TollgateRenew', 'TollgateSignIn']);
  });

  it('login sends the device token this browser keeps for the account, then keeps the new one under email and username', async () => {
    const { server, client, storage } = setUp({ 'tollgate.deviceTokens': JSON.stringify({ 'ada@example.com': 'device-old' }) });
    const result = await client.login({ identifier: '  Ada@Example.com ', password: 'a fine passphrase' });
    expect(result).toEqual({ status: 'signed-in', user: server.user });
    expect(server.callsTo('TollgateSignIn')[0]?.variables).toEqual({
      input: { identifier: '  Ada@Example.com ', password: 'a fine passphrase', deviceToken: 'device-old' },
    });
    expect(JSON.parse(storage.values.get('tollgate.deviceTokens')!)).toEqual({ 'ada@example.com': 'device-1', ada: 'device-1' });
    expect(client.deviceTokens.for('ADA')).toBe('device-1');
    expect(client.tokens.getState()).toEqual({ status: 'signed-in', userId: 'user-1' });
    // The access token itself is never written to storage.
    expect([...storage.values.values()].join()).not.toContain(String(await client.tokens.accessToken()));
  });

  it('a refused login rejects with the code and leaves this browser signed out', async () => {
    const { server, client } = setUp();
    server.queue('TollgateSignIn', { body: graphqlError('INVALID_CREDENTIALS') });
    const error = await rejection(client.login({ identifier: 'ada', password: 'wrong' }));
    expect(error).toBeInstanceOf(TollgateError);
    expect(errorInfo(error)).toEqual({ code: 'INVALID_CREDENTIALS' });
    expect(client.tokens.getState().status).toBe('starting');
  });

  it('a login answered 429 surfaces RATE_LIMITED with its wait', async () => {
    const { server, client } = setUp();
    server.queue('TollgateSignIn', {
      status: 429,
      headers: { 'retry-after': '42' },
      body: graphqlError('RATE_LIMITED', { retryAfter: 42 }),
    });
    const error = await rejection(client.login({ identifier: 'ada', password: 'x' }));
    expect(errorInfo(error)).toEqual({ code: 'RATE_LIMITED', retryAfter: 42 });
  });

  it('an answer without a GraphQL body (a proxy saying 503) is SERVICE_UNAVAILABLE with its Retry-After', async () => {
    const { server, client } = setUp();
    server.queue('TollgateSignIn', { status: 503, headers: { 'retry-after': '5' }, body: '<html>busy</html>' });
    expect(errorInfo(await rejection(client.login({ identifier: 'ada', password: 'x' })))).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      retryAfter: 5,
    });
  });

  it('register signs in and keeps the device token', async () => {
    const { client } = setUp();
    await client.register({ email: 'ada@example.com', username: 'ada', password: 'a fine passphrase' });
    expect(client.tokens.getState().status).toBe('signed-in');
    expect(client.deviceTokens.for('ada@example.com')).toBe('device-1');
  });

  it('request adds the token, and on UNAUTHENTICATED renews once and retries once', async () => {
    const { server, client } = setUp();
    await client.login({ identifier: 'ada', password: 'p' });
    const signedInWith = await client.tokens.accessToken();
    server.queue('Me', { body: graphqlError('UNAUTHENTICATED') });
    const answer = await client.request<{ me: { id: string } }, Record<string, never>>('query Me { me { id } }', {});
    expect(answer.data?.me.id).toBe('user-1');
    const sent = server.callsTo('Me').map((c) => c.headers.authorization);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(`Bearer ${signedInWith}`);
    expect(sent[1]).not.toBe(sent[0]);
    expect(server.callsTo('TollgateRenew')).toHaveLength(1);
  });

  it('request does not loop: refused again after the renewal, the refusal is the answer', async () => {
    const { server, client } = setUp();
    await client.login({ identifier: 'ada', password: 'p' });
    server.queue('Me', { body: graphqlError('UNAUTHENTICATED') });
    server.queue('Me', { body: graphqlError('UNAUTHENTICATED') });
    server.queue('Me', { body: graphqlError('UNAUTHENTICATED') });
    const answer = await client.request('query Me { me { id } }', {});
    expect(errorInfo(answer)?.code).toBe('UNAUTHENTICATED');
    expect(server.callsTo('Me')).toHaveLength(2);
    expect(server.callsTo('TollgateRenew')).toHaveLength(1);
  });

  it('request refuses a parsed DocumentNode rather than sending "[object Object]"', async () => {
    const { client } = setUp();
    const parsed = { kind: 'Document', definitions: [] } as unknown as string;
    await expect(client.request(parsed, {})).rejects.toThrow(TypeError);
  });

  it('logout ends the session on the server, then signs out', async () => {
    const { server, client } = setUp();
    await client.login({ identifier: 'ada', password: 'p' });
    await client.logout({ allSessions: true });
    expect(server.callsTo('TollgateSignOut')[0]?.variables).toEqual({ allSessions: true });
    expect(client.tokens.getState()).toEqual({ status: 'signed-out' });
  });

  it('logout of a session that had already ended signs out; a refused one keeps the session and rejects', async () => {
    const { server, client } = setUp();
    await client.login({ identifier: 'ada', password: 'p' });
    server.queue('TollgateSignOut', { status: 429, body: graphqlError('RATE_LIMITED', { retryAfter: 3 }) });
    expect(errorInfo(await rejection(client.logout()))).toEqual({ code: 'RATE_LIMITED', retryAfter: 3 });
    expect(client.tokens.getState().status).toBe('signed-in');

    server.queue('TollgateSignOut', { body: graphqlError('UNAUTHENTICATED') });
    await client.logout();
    expect(client.tokens.getState().status).toBe('signed-out');
  });

  it('signedInWith adopts a sign-in the app ran itself (OAuth, a password change)', async () => {
    const { client, server } = setUp();
    const { accessToken } = await import('./fakes.js');
    client.signedInWith({
      accessToken: accessToken('user-9', 1_700_000_000),
      deviceToken: 'device-x',
      user: { email: 'x@example.com' },
    });
    expect(client.tokens.getState()).toEqual({ status: 'signed-in', userId: 'user-9' });
    expect(client.deviceTokens.for('X@example.com')).toBe('device-x');
    expect(server.calls).toHaveLength(0);
  });
});

describe('readSignIn', () => {
  it('refuses a sign-in step this version does not know instead of taking it for a sign-in', () => {
    const challenge = { __typename: 'MfaChallenge', ticket: 't', methods: ['TOTP'] };
    let error: unknown;
    try {
      readSignIn(challenge);
    } catch (e) {
      error = e;
    }
    expect(errorInfo(error)).toEqual({ code: 'UNSUPPORTED_SIGN_IN_STEP' });
  });
});
