import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  LoginDocument,
  MeDocument,
  RefreshDocument,
  RegisterDocument,
  ReportResourceProgressDocument,
} from '../../src/client/generated/graphql.js';
import { adminUrl } from '../helpers/database.js';
import { codeOf } from '../helpers/graphql.js';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestApp, newAccount, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

// Short deadlines, so an outage is felt in a second or two (the defaults are 2000 and 5000 ms), yet
// long enough for a busy test machine's ordinary queries.
const timeouts = { DATABASE_ACQUIRE_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '1500', BUS_RECONNECT_MAX_MS: '200' };

let proxy: TcpProxy;
let app: TestApp;
beforeAll(async () => {
  const postgres = new URL(adminUrl);
  proxy = await startTcpProxy([{ host: postgres.hostname, port: Number(postgres.port || 5432) }]);
  app = await createTestApp(timeouts, {}, { reachDatabase: (url) => viaProxy(url, proxy) });
});
afterAll(async () => {
  await app.close();
  await proxy.close();
});

const readiness = async () => {
  const res = await fetch(`${app.url}/health/ready`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { status: string }> } };
};

describe.each(['blackhole', 'reset'] as const)('a database outage (%s)', (mode) => {
  it('fails every request fast with SERVICE_UNAVAILABLE and 503, reports unready, and recovers by itself', async () => {
    const user = await signUp(app);
    const stranger = newAccount();
    // A worker whose key is not in the instance's short memory: its permission rule must read the
    // database, and an outage there must not read as "your key was revoked" (FORBIDDEN).
    const admin = await signUpAdmin(app);
    const worker = (await app.execute(CreateServiceAccountDocument, { name: `worker-${mode}` }, { token: admin.accessToken }))
      .data!.createServiceAccount;
    const report = { resourceId: `res-${mode}`, ownerId: user.user.id, stage: 'INGESTION', status: 'PROCESSING' } as const;
    proxy.cut(mode);
    try {
      // Each would hang for as long as the outage lasts without the acquire and statement timeouts.
      const answers = await Promise.all([
        app.execute(MeDocument, {}, { token: user.accessToken }),
        app.execute(LoginDocument, { input: { identifier: user.account.email, password: user.account.password } }),
        app.execute(RegisterDocument, { input: stranger }),
        app.execute(RefreshDocument, { refreshToken: user.refreshToken }),
        app.execute(ReportResourceProgressDocument, { input: report }, { token: worker.apiKey }),
      ]);
      for (const res of answers) {
        expect(codeOf(res), res.raw).toBe('SERVICE_UNAVAILABLE');
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.raw).not.toMatch(/timeout|knex|select|postgres|ECONN/i);
      }
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { database: { status: 'down' } } });
    } finally {
      proxy.restore();
    }
    await expect.poll(async () => (await readiness()).body.status, { timeout: 10_000 }).toBe('ready');
    const me = await app.execute(MeDocument, {}, { token: user.accessToken });
    expect(me.data?.me.email).toBe(user.account.email);
    // Nothing half-written: the refresh refused during the outage did not rotate the token away.
    const refreshed = await app.execute(RefreshDocument, { refreshToken: user.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const registered = await app.execute(RegisterDocument, { input: stranger });
    expect(registered.errors).toBeUndefined();
    const reported = await app.execute(ReportResourceProgressDocument, { input: report }, { token: worker.apiKey });
    expect(reported.errors).toBeUndefined();
  });
});
