import { print } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CreateServiceAccountDocument,
  ReportResourceProgressDocument,
  ResourceProgressChangedDocument,
  SetUserTierDocument,
} from '../../src/client/generated/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';
import { productionEnv, rawSocket } from '../helpers/ws.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
let workerKey: string;
const consoleCalls: unknown[][] = [];
const sockets: ReturnType<typeof rawSocket>[] = [];
const open = (options: Parameters<typeof rawSocket>[1]) => {
  const s = rawSocket(app.url, options);
  sockets.push(s);
  return s;
};
const subscription = print(ResourceProgressChangedDocument);

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleCalls.push(args));
  }
  app = await createTestApp(
    await productionEnv({
      MAX_BODY_BYTES: '4096',
      WS_CONNECTION_INIT_TIMEOUT_MS: '300',
      WS_MAX_SOCKETS_PER_ADDRESS: '12',
      WS_MAX_SOCKETS_PER_USER: '3',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
      WS_MAX_SUBSCRIPTIONS_PER_USER: '3',
    }),
  );
  admin = await signUpAdmin(app);
  workerKey = (await app.execute(CreateServiceAccountDocument, { name: 'w' }, { token: admin.accessToken })).data!
    .createServiceAccount.apiKey;
});
afterEach(async () => {
  for (const s of sockets) s.close();
  await Promise.all(sockets.splice(0).map((s) => s.closed));
});
afterAll(() => vi.restoreAllMocks());

let n = 0;
const resource = async (ownerId: string) => {
  const resourceId = `gate-${n++}`;
  const res = await app.execute(
    ReportResourceProgressDocument,
    { input: { resourceId, ownerId, stage: 'INGESTION', status: 'PROCESSING' } },
    { token: workerKey },
  );
  expect(res.errors).toBeUndefined();
  return resourceId;
};
const errorOf = async (s: ReturnType<typeof rawSocket>, id: string) => {
  await expect
    .poll(() => s.of(id).find((m) => m.type === 'error' || m.type === 'next'), { timeout: 5000 })
    .toBeTruthy()
    .catch((e: unknown) => {
      throw new Error(`no answer to ${id}: ${JSON.stringify(s.messages)} ${String(e)}`);
    });
  const m = s.of(id).find((x) => x.type === 'error' || x.type === 'next')!;
  return (m.type === 'error' ? m.payload : (m.payload as { errors: unknown }).errors) as {
    message: string;
    extensions: { code: string; requestId?: string };
  }[];
};

describe('the WebSocket door, in production', () => {
  it('applies the HTTP gate: no introspection, no hints, alias and token limits', async () => {
    const user = await signUp(app);
    const s = open({ token: user.accessToken });
    await expect.poll(s.acknowledged).toBe(true);

    const introspection = await errorOf(s, s.subscribe('subscription { __schema { types { name } } }'));
    expect(introspection[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const hint = await errorOf(s, s.subscribe('subscription { resourceProgressChange(resourceId: "x") { resourceId } }'));
    expect(hint[0]!.message).toMatch(/Cannot query field/);
    expect(JSON.stringify(hint)).not.toMatch(/Did you mean/);

    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: resourceId`).join(' ');
    const tooMany = await errorOf(s, s.subscribe(`subscription { resourceProgressChanged(resourceId: "x") { ${aliases} } }`));
    expect(tooMany[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(tooMany[0]!.message).toMatch(/Aliases limit/);

    // Under MAX_BODY_BYTES, over GRAPHQL_MAX_TOKENS (2000).
    const tokens = await errorOf(s, s.subscribe(`subscription { __typename ${'@a '.repeat(1100)} }`));
    expect(tokens[0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(tokens[0]!.extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hides hints in variable coercion too, and refuses what Postgres cannot store', async () => {
    const user = await signUp(app);
    const s = open({ token: user.accessToken });
    await expect.poll(s.acknowledged).toBe(true);
    const nul = await errorOf(s, s.subscribe(subscription, { resourceId: 'a\u0000b' }));
    expect(nul[0]!.extensions.code).toBe('BAD_USER_INPUT');
    const wrongType = await errorOf(s, s.subscribe(subscription, { resourceId: { id: 'x' } }));
    expect(wrongType[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('serves subscriptions only: queries and mutations are refused with BAD_REQUEST', async () => {
    const user = await signUp(app);
    const s = open({ token: user.accessToken });
    await expect.poll(s.acknowledged).toBe(true);
    for (const query of ['{ me { id } }', 'mutation { logout }']) {
      const errors = await errorOf(s, s.subscribe(query));
      expect(errors[0]!.extensions.code).toBe('BAD_REQUEST');
      expect(errors[0]!.message).toMatch(/over HTTP/);
    }
  });

  it('writes nothing to the console and no forged line into the log, whatever the document', async () => {
    const user = await signUp(app);
    const s = open({ token: user.accessToken });
    await expect.poll(s.acknowledged).toBe(true);
    const forged = '{"level":"fatal","service":"tollgate","msg":"forged"}';
    const errors = await errorOf(s, s.subscribe(`subscription { """\n${forged}\n""" x( }`));
    expect(errors[0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    await s.send('not json at all');
    expect((await s.closed).code).toBe(4400);
    expect(consoleCalls).toEqual([]);
    expect(app.logs.some((line) => (JSON.parse(line) as { msg?: string }).msg === 'forged')).toBe(false);
  });

  it('closes a socket sending a frame above MAX_BODY_BYTES, before authentication (1009)', async () => {
    const s = open({ init: false });
    await s.send({ type: 'connection_init', payload: { pad: 'x'.repeat(8192) } });
    expect((await s.closed).code).toBe(1009);
  });

  it('closes a socket that never says connection_init (4408)', async () => {
    const s = open({ init: false });
    expect((await s.closed).code).toBe(4408);
  });

  it('caps sockets per user (4429) and subscriptions per socket and per user (RATE_LIMITED)', async () => {
    const user = await signUp(app);
    const resourceId = await resource(user.user.id);
    const [a, b, c] = [0, 1, 2].map(() => open({ token: user.accessToken })) as [
      ReturnType<typeof rawSocket>,
      ReturnType<typeof rawSocket>,
      ReturnType<typeof rawSocket>,
    ];
    for (const s of [a, b, c]) await expect.poll(s.acknowledged).toBe(true);
    const fourth = open({ token: user.accessToken });
    expect(await fourth.closed).toEqual({ code: 4429, reason: 'Too many connections for this user' });

    const first = [a.subscribe(subscription, { resourceId }), a.subscribe(subscription, { resourceId })];
    for (const id of first) await expect.poll(() => a.of(id).some((m) => m.type === 'next')).toBe(true);
    const third = await errorOf(a, a.subscribe(subscription, { resourceId }));
    expect(third[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'at most 2 subscriptions per connection' } });

    const onB = b.subscribe(subscription, { resourceId });
    await expect.poll(() => b.of(onB).some((m) => m.type === 'next')).toBe(true);
    const overUser = await errorOf(c, c.subscribe(subscription, { resourceId }));
    expect(overUser[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'at most 3 subscriptions per user' } });

    // Completing one frees its slot.
    await b.send({ type: 'complete', id: onB });
    const again = c.subscribe(subscription, { resourceId });
    await expect.poll(() => c.of(again).some((m) => m.type === 'next')).toBe(true);
  });

  it('holds the caps against a burst of subscribe frames sent before any is answered', async () => {
    // Every slot check used to wait on the session check first, so a burst saw the same free slots.
    const outcome = async (s: ReturnType<typeof rawSocket>, id: string) => {
      const answered = () => s.of(id).find((m) => m.type === 'next' || m.type === 'error');
      await expect.poll(() => answered() !== undefined, { timeout: 10_000 }).toBe(true);
      const m = answered()!;
      return m.type === 'next' ? 'live' : (m.payload as { extensions: { code: string } }[])[0]?.extensions.code;
    };
    const burst = async (count: number) => {
      const user = await signUp(app);
      const resourceId = await resource(user.user.id);
      const pair = [open({ token: user.accessToken }), open({ token: user.accessToken })];
      for (const s of pair) await expect.poll(s.acknowledged).toBe(true);
      const sent = pair
        .slice(0, count > 5 ? 1 : 2)
        .flatMap((s) =>
          Array.from({ length: count > 5 ? count : 5 }, () => ({ s, id: s.subscribe(subscription, { resourceId }) })),
        );
      return Promise.all(sent.map(({ s, id }) => outcome(s, id)));
    };
    // Ten frames on one socket: two slots per socket.
    const one = await burst(10);
    expect(one.filter((o) => o === 'live')).toHaveLength(2);
    expect(one.filter((o) => o === 'RATE_LIMITED')).toHaveLength(8);
    // Five on each of two sockets at once: three slots per user.
    const two = await burst(5);
    expect(two.filter((o) => o === 'live')).toHaveLength(3);
    expect(two.filter((o) => o === 'RATE_LIMITED')).toHaveLength(7);
  });

  it('caps sockets per address (4429)', async () => {
    const extra = Array.from({ length: 13 }, () => open({ init: false }));
    const codes = await Promise.race([
      Promise.all(extra.map((s) => s.closed)),
      // the cap is 12 sockets from one address: at least one of 13 must be refused at once
      Promise.any(extra.map((s) => s.closed.then((c) => (c.code === 4429 ? [c] : Promise.reject(c))))),
    ]);
    expect(codes.map((c) => c.code)).toContain(4429);
    expect(codes.find((c) => c.code === 4429)?.reason).toBe('Too many connections from this address');
  });

  it('stops a demoted admin’s stream of someone else’s progress at the next event', async () => {
    const owner = await signUp(app);
    const watcher = await signUpAdmin(app);
    const resourceId = await resource(owner.user.id);
    const s = open({ token: watcher.accessToken });
    await expect.poll(s.acknowledged).toBe(true);
    const id = s.subscribe(subscription, { resourceId });
    await expect.poll(() => s.of(id).filter((m) => m.type === 'next').length).toBe(1);

    const demoted = await app.execute(
      SetUserTierDocument,
      { userId: watcher.user.id, tier: 'FREE' },
      { token: admin.accessToken },
    );
    expect(demoted.errors).toBeUndefined();
    await app.execute(
      ReportResourceProgressDocument,
      { input: { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' } },
      { token: workerKey },
    );
    await expect.poll(() => s.of(id).find((m) => m.type === 'error')).toBeTruthy();
    expect(s.of(id).filter((m) => m.type === 'next')).toHaveLength(1);
    expect(JSON.stringify(s.of(id).find((m) => m.type === 'error'))).toContain('UNAUTHENTICATED');
  });
});
