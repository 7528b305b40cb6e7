import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  LoginDocument,
  LogoutDocument,
  ReportResourceProgressDocument,
  type ReportProgressInput,
} from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { adminUrl } from '../helpers/database.js';
import { subscribeToProgress } from '../helpers/subscriptions.js';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

let proxy: TcpProxy;
let a: TestApp;
let b: TestApp;
let workerKey: string;
const subscriptions: ReturnType<typeof subscribeToProgress>[] = [];
beforeAll(async () => {
  const postgres = new URL(adminUrl);
  proxy = await startTcpProxy([{ host: postgres.hostname, port: Number(postgres.port || 5432) }]);
  const env = { JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]), BUS_RECONNECT_MAX_MS: '300' };
  // A reaches Postgres through the proxy the test cuts; B, the other instance, directly.
  a = await createTestApp(env, {}, { reachDatabase: (url) => viaProxy(url, proxy) });
  b = await createTestApp(env, {}, { shareDatabaseWith: a });
  const admin = await signUpAdmin(b);
  workerKey = (await b.execute(CreateServiceAccountDocument, { name: 'worker' }, { token: admin.accessToken })).data!
    .createServiceAccount.apiKey;
});
afterAll(async () => {
  await Promise.all(subscriptions.map((s) => s.close()));
  await b.close();
  await a.close();
  await proxy.close();
});

const report = (input: ReportProgressInput) => b.execute(ReportResourceProgressDocument, { input }, { token: workerKey });
const readinessOf = async (app: TestApp) =>
  (await (await fetch(`${app.url}/health/ready`)).json()) as { status: string; checks: Record<string, { status: string }> };

describe('the change bus through a Postgres outage', () => {
  it('reconnects by itself, resends the current state to every subscription, and closes sockets of ended sessions again', async () => {
    const owner = await signUp(b);
    const resourceId = 'bus-outage';
    await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 10 });
    const sub = subscribeToProgress(a.url, owner.accessToken, resourceId);
    subscriptions.push(sub);
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBe(1);
    // A second session of the same user, whose logout A will not hear of.
    const other = (
      await b.execute(LoginDocument, { input: { identifier: owner.account.email, password: owner.account.password } })
    ).data!.login;
    const doomed = subscribeToProgress(a.url, other.accessToken, resourceId);
    subscriptions.push(doomed);
    await expect.poll(() => doomed.received.length, { timeout: 10_000 }).toBe(1);

    proxy.cut('reset');
    try {
      await expect.poll(async () => (await readinessOf(a)).checks.bus?.status, { timeout: 10_000 }).toBe('degraded');
      // Longer than the single 0.5 s retry the bus used to make: several reconnect attempts are refused.
      const before = proxy.refused();
      await expect.poll(() => proxy.refused() - before, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(6);
      // A change made on the other instance while A hears nothing.
      expect(
        (await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' })).errors,
      ).toBeUndefined();
      expect((await b.execute(LogoutDocument, {}, { token: other.accessToken })).errors).toBeUndefined();
      expect(sub.received).toHaveLength(1);
      expect(doomed.closeCode()).toBeNull();
    } finally {
      proxy.restore();
    }

    await expect.poll(async () => (await readinessOf(a)).status, { timeout: 10_000 }).toBe('ready');
    // What changed during the outage arrives once the bus is back.
    await expect.poll(() => sub.received.at(-1)?.stages[0]?.status, { timeout: 10_000 }).toBe('COMPLETED');
    expect(a.logs.some((l) => l.includes('change bus reconnected'))).toBe(true);
    // The session that ended during the outage has its socket closed once A is back.
    await expect.poll(() => doomed.closeCode(), { timeout: 10_000 }).toBe(4403);
    expect(sub.closeCode()).toBeNull();

    // Live changes flow again, and a logout on B closes the socket on A.
    await report({ resourceId, ownerId: owner.user.id, stage: 'QUALITY', status: 'PROCESSING' });
    await expect.poll(() => sub.received.at(-1)?.stages[1]?.status, { timeout: 10_000 }).toBe('PROCESSING');
    expect(sub.errors).toEqual([]);
    await b.execute(LogoutDocument, {}, { token: owner.accessToken });
    await expect.poll(() => sub.closeCode(), { timeout: 10_000 }).toBe(4403);
  });
});
