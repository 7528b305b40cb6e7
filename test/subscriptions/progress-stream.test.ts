import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  LoginDocument,
  LogoutDocument,
  ReportResourceProgressDocument,
  type ReportProgressInput,
} from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { subscribeToProgress } from '../helpers/subscriptions.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

let a: TestApp;
let b: TestApp;
let workerKey: string;
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  const keys = JSON.stringify([await generateSigningJwk()]);
  a = await createTestApp({ JWT_SIGNING_KEYS: keys });
  // A second instance on the same database: changes reported to A must reach subscribers on B.
  b = await createTestApp({ JWT_SIGNING_KEYS: keys }, {}, { shareDatabaseWith: a });
  const admin = await signUpAdmin(a);
  workerKey = (await a.execute(CreateServiceAccountDocument, { name: 'worker' }, { token: admin.accessToken })).data!
    .createServiceAccount.apiKey;
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

let n = 0;
const report = (on: TestApp, input: ReportProgressInput) =>
  on.execute(ReportResourceProgressDocument, { input }, { token: workerKey });
const watch = (on: TestApp, token: string | null, resourceId: string) => {
  const sub = subscribeToProgress(on.url, token, resourceId);
  open.push(sub);
  return sub;
};

describe('resourceProgressChanged', () => {
  it('sends the current state on subscribe, then each change, across instances', async () => {
    const owner = await signUp(a);
    const resourceId = `live-${n++}`;
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 10 });

    const sub = watch(b, owner.accessToken, resourceId);
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBe(1);
    expect(sub.received[0]).toMatchObject({ resourceId, overallStatus: 'PROCESSING', percentComplete: 2 });

    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBe(2);
    await report(b, { resourceId, ownerId: owner.user.id, stage: 'QUALITY', status: 'FAILED', message: 'unreadable' });
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBe(3);
    expect(sub.received.map((p) => p.overallStatus)).toEqual(['PROCESSING', 'PROCESSING', 'FAILED']);
    expect(sub.received[2]!.stages[1]).toMatchObject({ stage: 'QUALITY', status: 'FAILED', message: 'unreadable' });
    expect(sub.errors).toEqual([]);
  });

  it('sends each state once: a change notice that changes nothing (a late NOTIFY) pushes no duplicate', async () => {
    const owner = await signUp(a);
    const resourceId = `live-${n++}`;
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 10 });
    const sub = watch(b, owner.accessToken, resourceId);
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBe(1);
    // The notice a report made just before the subscription would send, arriving after its first read.
    await a.services.bus.publishProgress(resourceId);
    await a.services.bus.publishProgress(resourceId);
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(sub.received.map((p) => p.stages[0]?.status)).toEqual(['PROCESSING', 'COMPLETED']);
  });

  it('refuses a connection without a valid token', async () => {
    const owner = await signUp(a);
    const resourceId = `live-${n++}`;
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' });
    for (const token of [null, 'not-a-token', workerKey]) {
      const sub = watch(a, token, resourceId);
      await expect.poll(() => sub.closeCode(), { timeout: 10_000 }).toBe(4403);
      expect(sub.received).toEqual([]);
    }
  });

  it('answers someone else’s resource like an unknown one, with no data', async () => {
    const owner = await signUp(a);
    const other = await signUp(a);
    const resourceId = `live-${n++}`;
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' });
    const foreign = watch(a, other.accessToken, resourceId);
    const unknown = watch(a, other.accessToken, 'no-such-resource');
    await expect.poll(() => foreign.errors.length + unknown.errors.length, { timeout: 10_000 }).toBe(2);
    const strip = (e: unknown) =>
      [e].flat().map((x) => [(x as { message: string }).message, (x as { extensions: { code: string } }).extensions.code]);
    expect(strip(foreign.errors[0])).toEqual(strip(unknown.errors[0]));
    expect(JSON.stringify(foreign.errors)).toContain('NOT_FOUND');
    expect(foreign.received).toEqual([]);
  });

  it('is closed when its session ends, on another instance', async () => {
    const owner = await signUp(a);
    const resourceId = `live-${n++}`;
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' });
    const sub = watch(b, owner.accessToken, resourceId);
    // The owner's other session keeps its subscription: it shows when a later change has been delivered.
    const other = (
      await a.execute(LoginDocument, { input: { identifier: owner.account.email, password: owner.account.password } })
    ).data!.login;
    const witness = watch(b, other.accessToken, resourceId);
    await expect.poll(() => sub.received.length + witness.received.length, { timeout: 10_000 }).toBe(2);
    await a.execute(LogoutDocument, {}, { token: owner.accessToken });
    await expect.poll(() => sub.closeCode(), { timeout: 10_000 }).toBe(4403);
    await report(a, { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    await expect.poll(() => witness.received.length, { timeout: 10_000 }).toBe(2);
    expect(sub.received).toHaveLength(1);
    expect(witness.closeCode()).toBeNull();
  });
});
