import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RefreshDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { adminUrl } from '../helpers/database.js';
import { codeOf } from '../helpers/graphql.js';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';

let proxy: TcpProxy;
let app: TestApp;
let direct: TestApp;
beforeAll(async () => {
  const postgres = new URL(adminUrl);
  proxy = await startTcpProxy([{ host: postgres.hostname, port: Number(postgres.port || 5432) }]);
  const keys = JSON.stringify([await generateSigningJwk()]);
  app = await createTestApp(
    // The default timeouts: this is about what survives an outage, not how fast it is noticed.
    { JWT_SIGNING_KEYS: keys },
    {},
    { reachDatabase: (url) => viaProxy(url, proxy) },
  );
  // Checks what was kept through an instance the outage never touched.
  direct = await createTestApp({ JWT_SIGNING_KEYS: keys }, {}, { shareDatabaseWith: app });
});
afterAll(async () => {
  await direct.close();
  await app.close();
  await proxy.close();
});

describe('under load through a Postgres outage', () => {
  it('loses nothing it acknowledged: every registered account logs in, every refresh chain goes on', async () => {
    const chains = await Promise.all(Array.from({ length: 6 }, () => signUp(app).then((u) => ({ token: u.refreshToken }))));
    const registered: ReturnType<typeof newAccount>[] = [];
    const codes = new Map<string, number>();
    const count = (code: string) => codes.set(code, (codes.get(code) ?? 0) + 1);
    let stop = false;

    const registering = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const account = newAccount();
        const res = await app.execute(RegisterDocument, { input: account });
        if (res.data?.register.__typename === 'AuthPayload') registered.push(account);
        count(String(codeOf(res) ?? 'OK'));
      }
    });
    const refreshing = chains.map(async (chain) => {
      while (!stop) {
        const res = await app.execute(RefreshDocument, { refreshToken: chain.token });
        // A client keeps the token it holds until an answer gives it a new one.
        if (res.data?.refresh.refreshToken) chain.token = res.data.refresh.refreshToken;
        count(String(codeOf(res) ?? 'OK'));
      }
    });

    const okBefore = () => codes.get('OK') ?? 0;
    await expect.poll(okBefore, { timeout: 20_000, interval: 20 }).toBeGreaterThan(20);
    proxy.cut('reset');
    await expect.poll(() => codes.get('SERVICE_UNAVAILABLE') ?? 0, { timeout: 20_000, interval: 20 }).toBeGreaterThan(10);
    proxy.restore();
    const okAtRestore = okBefore();
    await expect.poll(okBefore, { timeout: 20_000, interval: 20 }).toBeGreaterThan(okAtRestore + 20);
    stop = true;
    await Promise.all([...registering, ...refreshing]);

    // Only two kinds of answer: done, or not done and said so.
    const unexpected = app.logs.filter((l) => l.includes('"unexpected error"'));
    expect([...codes.keys()].sort(), unexpected.join('\n')).toEqual(['OK', 'SERVICE_UNAVAILABLE']);
    for (const account of registered) {
      const login = await direct.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
      expect(login.errors, account.email).toBeUndefined();
    }
    for (const chain of chains) {
      const res = await direct.execute(RefreshDocument, { refreshToken: chain.token });
      expect(res.errors).toBeUndefined();
    }
  }, 90_000);
});
