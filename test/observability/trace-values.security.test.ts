// A trace backend is read by more people than the database: no span may carry an address or a password
// hash given to the API (MikroORM's raw statements inline their values into the text).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RequestEmailChangeDocument } from '../../src/client/generated/graphql.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, newAccount, signUp, type TestApp } from '../helpers/test-app.js';
import { startCollector } from '../observability/otlp-collector.js';

/** Review: instrument.ts says a SQL span "carries the statement text with its placeholders, never the values". */
let app: TestApp;
let collector: Awaited<ReturnType<typeof startCollector>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const delay = process.env.OTEL_BSP_SCHEDULE_DELAY;
beforeAll(async () => {
  collector = await startCollector();
  smtp = await startSmtpServer();
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
  app = await createTestApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    SMTP_URL: smtp.url,
  });
});
afterAll(async () => {
  await app?.close();
  await collector?.stop();
  await smtp?.stop();
});

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
