import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RequestEmailChangeDocument, RequestPasswordResetDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { redisUrl, uniquePrefix } from '../helpers/redis.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';
import { startCollector } from './otlp-collector.js';

let app: TestApp;
let collector: Awaited<ReturnType<typeof startCollector>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const delay = process.env.OTEL_BSP_SCHEDULE_DELAY;

beforeAll(async () => {
  collector = await startCollector();
  smtp = await startSmtpServer();
  // A standard variable the SDK reads itself: spans leave every 50 ms instead of every 5 s.
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
  app = await createTestApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'tollgate-under-test',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: uniquePrefix(),
    SMTP_URL: smtp.url,
    MAIL_POLL_INTERVAL_MS: '50',
  });
});
afterAll(async () => {
  if (delay === undefined) delete process.env.OTEL_BSP_SCHEDULE_DELAY;
  else process.env.OTEL_BSP_SCHEDULE_DELAY = delay;
  await app?.close();
  await collector?.stop();
  await smtp?.stop();
});

const spansOf = (traceId: string) => collector.spans.filter((s) => s.traceId === traceId);

describe('OpenTelemetry traces', () => {
  it('send a span for a sign-in, named by its root field, with SQL, Redis and argon2 spans under it', async () => {
    const user = await signUp(app);
    const res = await app.execute(LoginDocument, { input: { identifier: user.account.email, password: user.account.password } });
    expect(res.errors).toBeUndefined();
    const traceId = res.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    await expect.poll(() => spansOf(traceId).find((s) => s.name === 'mutation login'), { timeout: 10_000 }).toBeDefined();
    const root = spansOf(traceId).find((s) => s.name === 'mutation login')!;
    expect(root.parentSpanId).toBe('');
    expect(root.service).toBe('tollgate-under-test');
    expect(root.attributes['graphql.operation.type']).toBe('mutation');
    expect(collector.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);

    // Children end before the request does, so they have arrived with it.
    const children = spansOf(traceId).filter((s) => s.parentSpanId !== '');
    const names = children.map((s) => s.name);
    expect(names).toContain('argon2 verify');
    expect(names.some((n) => n.startsWith('db '))).toBe(true);
    expect(names.some((n) => n.startsWith('redis '))).toBe(true);
    const sql = children.find((s) => s.name.startsWith('db '))!;
    expect(sql.attributes['db.system.name']).toBe('postgresql');
    // The statement's text with its placeholders, never the values bound to them.
    for (const span of children) expect(JSON.stringify(span.attributes)).not.toContain(user.account.password);
    const ids = new Set(spansOf(traceId).map((s) => s.spanId));
    for (const span of children) expect(ids.has(span.parentSpanId), span.name).toBe(true);
  });

  it('put the trace id in every log line of the request and in the answer', async () => {
    const user = await signUp(app);
    const res = await app.execute(LoginDocument, { input: { identifier: user.account.email, password: 'wrong wrong wrong' } });
    expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
    const traceId = res.headers.get('x-trace-id');
    const requestId = res.headers.get('x-request-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await expect.poll(() => app.logs.filter((l) => l.includes(requestId!)).length).toBeGreaterThan(0);
    const lines = app.logs.filter((l) => l.includes(requestId!)).map((l) => JSON.parse(l) as Record<string, unknown>);
    // The request line and the failed sign-in's own line, at least.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.traceId, JSON.stringify(line)).toBe(traceId);
    await expect.poll(() => spansOf(traceId!).find((s) => s.name === 'mutation login'), { timeout: 10_000 }).toBeDefined();
  });

  it('send a span per SMTP send', async () => {
    const user = await signUp(app);
    await app.execute(RequestPasswordResetDocument, { email: user.account.email });
    await smtp.waitFor((m) => m.to === user.account.email && /reset/i.test(m.subject));
    await expect
      .poll(
        () => collector.spans.find((s) => s.name === 'smtp send' && s.attributes['tollgate.mail.kind'] === 'RESET_PASSWORD'),
        {
          timeout: 10_000,
        },
      )
      .toBeDefined();
  });

  // A trace backend is read by more people than the database: MikroORM's raw statements inline their values
  // into the text, which must not carry an address or a password hash into a span.
  it('no exported span attribute holds an address or a password hash given to the API', async () => {
    const me = await signUp(app);
    const newEmail = newAccount().email;
    const res = await app.execute(
      RequestEmailChangeDocument,
      { newEmail, currentPassword: me.account.password },
      { token: me.accessToken },
    );
    const traceId = res.headers.get('x-trace-id') ?? '';
    await expect
      .poll(() => collector.spans.some((s) => s.traceId === traceId && s.parentSpanId === ''), { timeout: 10_000 })
      .toBe(true);
    // The request's own child spans (SQL among them) are exported with or after its root.
    await expect.poll(() => collector.spans.filter((s) => s.traceId === traceId).length, { timeout: 10_000 }).toBeGreaterThan(2);
    const exported = JSON.stringify(collector.spans.map((s) => s.attributes));
    expect({
      email: exported.includes(me.account.email),
      newEmail: exported.includes(newEmail),
      argon2: exported.includes('$argon2id$'),
    }).toEqual({
      email: false,
      newEmail: false,
      argon2: false,
    });
  });

  it('ignore a traceparent the client sends: the API picks its own trace ids', async () => {
    const chosen = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.post(
      { query: '{ rateLimitStatus { limits { field } } }' },
      { headers: { traceparent: `00-${chosen}-00f067aa0ba902b7-01` } },
    );
    expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('x-trace-id')).not.toBe(chosen);
  });
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  it('defaults to http/protobuf, the standard default', async () => {
    const protobuf = await startCollector();
    try {
      const other = await createTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: `${protobuf.url}/` });
      await other.post({ query: '{ rateLimitStatus { limits { field } } }' });
      await expect.poll(() => protobuf.paths, { timeout: 10_000 }).toContainEqual('POST /v1/traces application/x-protobuf');
      await other.close();
    } finally {
      await protobuf.stop();
    }
  });
});

describe('a request the sampler leaves out (OTEL_TRACES_SAMPLER, read by the SDK)', () => {
  it('keeps its trace id in the answer and its log lines, and sends no span at all', async () => {
    const quiet = await startCollector();
    const sampler = process.env.OTEL_TRACES_SAMPLER;
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    try {
      const other = await createTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: quiet.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
      const user = await signUp(other);
      const res = await other.execute(LoginDocument, {
        input: { identifier: user.account.email, password: 'wrong wrong wrong' },
      });
      expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
      const traceId = res.headers.get('x-trace-id');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const lines = other.logs.filter((l) => l.includes(res.headers.get('x-request-id')!));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) expect(JSON.parse(line).traceId).toBe(traceId);
      // Closing flushes whatever the exporter holds: nothing, not even an orphan SQL or argon2 span.
      await other.close();
      expect(quiet.spans).toEqual([]);
    } finally {
      if (sampler === undefined) delete process.env.OTEL_TRACES_SAMPLER;
      else process.env.OTEL_TRACES_SAMPLER = sampler;
      await quiet.stop();
    }
  });
});
