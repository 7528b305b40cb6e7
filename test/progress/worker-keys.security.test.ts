import { beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  ReportResourceProgressDocument,
  ResourceProgressDocument,
  RevokeServiceAccountDocument,
  type ReportProgressInput,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

// Two instances of one deployment. A worker's key found live is remembered by each instance for a while,
// so that a report is one round trip; revoking it on one instance must still stop it on the other at once.
let a: TestApp;
let b: TestApp;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp({}, {}, { shareDatabaseWith: a });
  admin = await signUpAdmin(a);
});

let n = 0;
const newResource = () => `key-${process.pid}-${n++}`;
const report = (app: TestApp, input: ReportProgressInput, key: string) =>
  app.execute(ReportResourceProgressDocument, { input }, { token: key });
const readAsAdmin = (resourceId: string) => a.execute(ResourceProgressDocument, { resourceId }, { token: admin.accessToken });

async function newWorkerKey() {
  const created = await a.execute(CreateServiceAccountDocument, { name: 'worker' }, { token: admin.accessToken });
  return created.data!.createServiceAccount;
}

describe('a worker key revoked on another instance', () => {
  it('writes nothing through an instance that found it live a moment ago, and is refused as an unknown key is', async () => {
    const worker = await newWorkerKey();
    const owner = await signUp(a);
    const seen = newResource();
    // b finds the key live and remembers it.
    expect(
      (await report(b, { resourceId: seen, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' }, worker.apiKey))
        .errors,
    ).toBeUndefined();

    const revoked = await a.execute(RevokeServiceAccountDocument, { id: worker.serviceAccount.id }, { token: admin.accessToken });
    expect(revoked.data?.revokeServiceAccount).toBe(true);

    const fresh = newResource();
    const unknown = await report(
      b,
      { resourceId: newResource(), ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' },
      `${worker.apiKey.slice(0, -4)}AAAA`,
    );
    for (const [resourceId, stage] of [
      [fresh, 'INGESTION'],
      [seen, 'QUALITY'],
    ] as const) {
      const refused = await report(b, { resourceId, ownerId: owner.user.id, stage, status: 'COMPLETED' }, worker.apiKey);
      expect(codeOf(refused)).toBe('UNAUTHENTICATED');
      expect(refused.errors![0]!.message).toBe(unknown.errors![0]!.message);
      expect(refused.data?.reportResourceProgress ?? null).toBeNull();
    }
    // Nothing was written: no record of the new resource, and the old one still has only its first report.
    expect((await readAsAdmin(fresh)).data!.resourceProgress).toBeNull();
    const stages = (await readAsAdmin(seen)).data!.resourceProgress!.stages;
    expect(stages.filter((s) => s.status !== 'PENDING').map((s) => `${s.stage}:${s.status}`)).toEqual(['INGESTION:PROCESSING']);
  });

  it('is no longer counted as its worker on the other instance either: it is refused at the gate, as an unknown key is', async () => {
    const worker = await newWorkerKey();
    const owner = await signUp(a);
    const input = { resourceId: newResource(), ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' } as const;
    expect((await report(b, input, worker.apiKey)).errors).toBeUndefined();
    await a.execute(RevokeServiceAccountDocument, { id: worker.serviceAccount.id }, { token: admin.accessToken });
    const unknown = await report(b, input, `${worker.apiKey.slice(0, -4)}AAAA`);
    // Remembered for 30 s, the revoked key passed the gate and spent its worker's budget before its write
    // was refused; the revocation now reaches b's memory over the bus, within a moment of the commit.
    await expect
      .poll(async () => (await report(b, input, worker.apiKey)).headers.get('x-ratelimit-limit'), { timeout: 2000 })
      .toBe(unknown.headers.get('x-ratelimit-limit'));
    const refused = await report(b, input, worker.apiKey);
    expect(codeOf(refused)).toBe(codeOf(unknown));
    expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
  });
});
