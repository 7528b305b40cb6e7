import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';
import { labelValues, scrape, sampleOf } from './scrape.js';

let app: TestApp;
const budget = { FREE: 100_000, PREMIUM: 100_000, ADMIN: 100_000 };
beforeAll(async () => {
  app = await createTestApp({
    RATE_LIMITS: JSON.stringify({
      'Mutation.register': budget,
      'Mutation.login': budget,
      'Mutation.refresh': budget,
      'Query.me': { FREE: 2, PREMIUM: 100, ADMIN: 100, windowSeconds: 600 },
    }),
  });
});

const metricsUrl = () => {
  if (!app.metricsUrl) throw new Error('the app has no metrics listener');
  return app.metricsUrl;
};

describe('Prometheus metrics', () => {
  it('are served on their own loopback listener, never on the API port', async () => {
    expect(new URL(metricsUrl()).hostname).toBe('127.0.0.1');
    expect(new URL(metricsUrl()).port).not.toBe(new URL(app.url).port);
    const onApi = await fetch(`${app.url}/metrics`);
    expect(onApi.status).toBe(404);
    expect(await onApi.text()).not.toContain('tollgate_');
    const res = await fetch(metricsUrl());
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await fetch(new URL('/graphql', metricsUrl()))).status).toBe(404);
  });

  it('name everything the issue lists, and prom-client’s process and Node metrics', async () => {
    const { text } = await scrape(metricsUrl());
    const declared = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const name of [
      'tollgate_graphql_fields_total',
      'tollgate_graphql_request_duration_seconds',
      'tollgate_login_attempts_total',
      'tollgate_rate_limit_refusals_total',
      'tollgate_password_hash_duration_seconds',
      'tollgate_password_hashes_in_flight',
      'tollgate_password_hashes_waiting',
      'tollgate_mail_outbox_pending',
      'tollgate_mail_outbox_oldest_seconds',
      'tollgate_mail_dead_total',
      'tollgate_mail_breaker_open',
      'tollgate_change_bus_connected',
      'tollgate_redis_fallback_active',
      'tollgate_db_pool_in_use',
      'tollgate_db_pool_waiting',
      'tollgate_websocket_connections',
      'tollgate_subscriptions_active',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(declared, name).toContain(name);
  });

  it('move with the traffic: a sign-in, a failed sign-in, a refused call', async () => {
    const before = (await scrape(metricsUrl())).samples;
    const user = await signUp(app);
    const ok = await app.execute(LoginDocument, { input: { identifier: user.account.email, password: user.account.password } });
    expect(ok.errors).toBeUndefined();
    const bad = await app.execute(LoginDocument, {
      input: { identifier: user.account.email, password: 'not the password at all' },
    });
    expect(codeOf(bad)).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 3; i++) await app.execute(MeDocument, {}, { token: user.accessToken });

    const after = (await scrape(metricsUrl())).samples;
    const moved = (series: string) => sampleOf(after, series) - sampleOf(before, series);
    expect(moved('tollgate_login_attempts_total{outcome="success"}')).toBe(1);
    expect(moved('tollgate_login_attempts_total{outcome="invalid_credentials"}')).toBe(1);
    expect(moved('tollgate_graphql_fields_total{field="Mutation.login",outcome="ok"}')).toBe(1);
    expect(moved('tollgate_graphql_fields_total{field="Mutation.login",outcome="INVALID_CREDENTIALS"}')).toBe(1);
    expect(moved('tollgate_graphql_fields_total{field="Mutation.register",outcome="ok"}')).toBe(1);
    expect(moved('tollgate_graphql_fields_total{field="Query.me",outcome="ok"}')).toBe(2);
    expect(moved('tollgate_graphql_fields_total{field="Query.me",outcome="RATE_LIMITED"}')).toBe(1);
    expect(moved('tollgate_rate_limit_refusals_total{field="Query.me",tier="FREE"}')).toBe(1);
    // register, login and the failed login each hashed or verified once.
    expect(moved('tollgate_password_hash_duration_seconds_count{operation="hash"}')).toBe(1);
    expect(moved('tollgate_password_hash_duration_seconds_count{operation="verify"}')).toBe(2);
    expect(moved('tollgate_graphql_request_duration_seconds_count')).toBe(6);
    expect(sampleOf(after, 'tollgate_password_hashes_in_flight')).toBe(0);
    expect(sampleOf(after, 'tollgate_password_hashes_waiting')).toBe(0);
    expect(sampleOf(after, 'tollgate_change_bus_connected')).toBe(1);
  });

  it('never take a label value a client chose: unknown fields, aliases, operation names', async () => {
    const user = await signUp(app);
    const chosen = ['clientChosenField', 'clientChosenAlias', 'ClientChosenOperation', 'clientChosenFragment'];
    await app.post({ query: '{ clientChosenField }' }, { token: user.accessToken });
    await app.post(
      { query: 'query ClientChosenOperation { clientChosenAlias: me { id } __typename }' },
      { token: user.accessToken },
    );
    await app.post(
      {
        query:
          'query Q { ...clientChosenFragment } fragment clientChosenFragment on Query { clientChosenAlias: rateLimitStatus { limits { field } } }',
      },
      { token: user.accessToken },
    );
    await app.post({ query: '{ __schema { queryType { name } } }' });
    await app.post({ query: 'mutation { login(input: { identifier: "x", password: "y" }) { clientChosenField } }' });
    const { text, samples } = await scrape(metricsUrl());
    const labels = labelValues(text);
    for (const name of chosen)
      expect(
        labels.some((l) => l.includes(name)),
        name,
      ).toBe(false);
    expect(labels.some((l) => l.includes('__'))).toBe(false);
    // The fragment's field counted under its schema name.
    expect(sampleOf(samples, 'tollgate_graphql_fields_total{field="Query.rateLimitStatus",outcome="ok"}')).toBeGreaterThanOrEqual(
      1,
    );
    const fieldLabels = [...text.matchAll(/tollgate_graphql_fields_total\{field="([^"]+)",outcome="([^"]+)"\}/g)];
    for (const [, field, outcome] of fieldLabels) {
      expect(field).toMatch(/^(Query|Mutation|Subscription)\.[a-zA-Z]+$/);
      expect(outcome).toMatch(/^(ok|other|[A-Z_]+)$/);
    }
  });
});

describe('a metrics port already taken', () => {
  it('leaves the API up outside production, with a warning and no metrics URL', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      // A second development process on the machine (a test, the bench) holds the port.
      const second = await createTestApp({ METRICS_PORT: String(port) });
      expect(second.metricsUrl).toBeNull();
      expect(second.logs.some((l) => l.includes('metrics are not served'))).toBe(true);
      expect((await signUp(second)).accessToken).toBeTruthy();
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
