import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  ReportResourceProgressDocument,
  ResourceProgressDocument,
  RevokeServiceAccountDocument,
  type ProcessingStage,
  type ReportProgressInput,
  type StageStatus,
} from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUpAdmin>>;
let workerKey: string;
beforeAll(async () => {
  app = await createTestApp();
  admin = await signUpAdmin(app);
  const created = await app.execute(CreateServiceAccountDocument, { name: 'ingest-worker' }, { token: admin.accessToken });
  workerKey = created.data!.createServiceAccount.apiKey;
});

let n = 0;
const newResource = () => `doc-${process.pid}-${n++}`;
const report = (input: ReportProgressInput, token = workerKey) =>
  app.execute(ReportResourceProgressDocument, { input }, { token });
const read = (resourceId: string, token: string) => app.execute(ResourceProgressDocument, { resourceId }, { token });

describe('service accounts', () => {
  it('are created by admins with a key shown once and stored only as a hash', async () => {
    const res = await app.execute(CreateServiceAccountDocument, { name: 'embedder' }, { token: admin.accessToken });
    const { apiKey, serviceAccount } = res.data!.createServiceAccount;
    expect(apiKey).toMatch(/^tgsk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.startsWith(serviceAccount.keyPrefix)).toBe(true);
    const dump = JSON.stringify(await app.orm.em.getConnection().execute('select * from service_account'));
    expect(dump).not.toContain(apiKey);
  });

  it('may only be created and revoked by admins', async () => {
    const user = await signUp(app);
    expect(codeOf(await app.execute(CreateServiceAccountDocument, { name: 'x' }, { token: user.accessToken }))).toBe('FORBIDDEN');
    expect(codeOf(await app.execute(CreateServiceAccountDocument, { name: 'x' }, { token: workerKey }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.execute(CreateServiceAccountDocument, { name: 'x' }))).toBe('UNAUTHENTICATED');
  });

  it('have keys that cannot act as a user: no me, no refresh, no login', async () => {
    expect(codeOf(await app.execute(MeDocument, {}, { token: workerKey }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.execute(RefreshDocument, { refreshToken: workerKey }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.execute(LoginDocument, { input: { identifier: 'ingest-worker', password: workerKey } }))).toBe(
      'INVALID_CREDENTIALS',
    );
    const owner = await signUp(app);
    const resourceId = newResource();
    await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' });
    expect(codeOf(await read(resourceId, workerKey))).toBe('UNAUTHENTICATED');
  });

  it('stop working the moment they are revoked', async () => {
    const created = (await app.execute(CreateServiceAccountDocument, { name: 'short-lived' }, { token: admin.accessToken })).data!
      .createServiceAccount;
    const owner = await signUp(app);
    const input: ReportProgressInput = {
      resourceId: newResource(),
      ownerId: owner.user.id,
      stage: 'INGESTION',
      status: 'PROCESSING',
    };
    expect((await report(input, created.apiKey)).errors).toBeUndefined();
    const revoked = await app.execute(
      RevokeServiceAccountDocument,
      { id: created.serviceAccount.id },
      { token: admin.accessToken },
    );
    expect(revoked.data?.revokeServiceAccount).toBe(true);
    expect(codeOf(await report(input, created.apiKey))).toBe('UNAUTHENTICATED');
    expect(
      codeOf(await app.execute(RevokeServiceAccountDocument, { id: created.serviceAccount.id }, { token: admin.accessToken })),
    ).toBe('NOT_FOUND');
  });
});

describe('reporting progress', () => {
  it('is for service accounts and admins only', async () => {
    const owner = await signUp(app);
    const input: ReportProgressInput = {
      resourceId: newResource(),
      ownerId: owner.user.id,
      stage: 'INGESTION',
      status: 'PROCESSING',
    };
    expect(codeOf(await report(input, owner.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await app.execute(ReportResourceProgressDocument, { input }))).toBe('UNAUTHENTICATED');
    expect((await report(input, admin.accessToken)).errors).toBeUndefined();
  });

  it('returns all five stages in pipeline order, PENDING where nothing was reported, with the roll-up', async () => {
    const owner = await signUp(app);
    const resourceId = newResource();
    await report({ resourceId, ownerId: owner.user.id, stage: 'GRAPH', status: 'PROCESSING', percent: 40, message: 'linking' });
    const res = await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    const progress = res.data!.reportResourceProgress;
    expect(progress.stages.map((s) => [s.stage, s.status, s.percent])).toEqual([
      ['INGESTION', 'COMPLETED', 100],
      ['QUALITY', 'PENDING', null],
      ['TAXONOMY', 'PENDING', null],
      ['GRAPH', 'PROCESSING', 40],
      ['EMBEDDING', 'PENDING', null],
    ]);
    expect(progress.stages[3]!.message).toBe('linking');
    expect(progress).toMatchObject({ resourceId, ownerId: owner.user.id, overallStatus: 'PROCESSING', percentComplete: 28 });
    expect(new Date(progress.expiresAt).getTime() - new Date(progress.updatedAt).getTime()).toBe(24 * 3600 * 1000);
  });

  it('refuses backward moves with BAD_USER_INPUT and allows restarting a FAILED stage', async () => {
    const owner = await signUp(app);
    const base = { resourceId: newResource(), ownerId: owner.user.id, stage: 'QUALITY' as const };
    await report({ ...base, status: 'COMPLETED' });
    const back = await report({ ...base, status: 'PROCESSING', percent: 10 });
    expect(codeOf(back)).toBe('BAD_USER_INPUT');
    expect(back.errors![0]!.extensions!.field).toBe('status');
    const other = { ...base, stage: 'TAXONOMY' as const };
    await report({ ...other, status: 'FAILED', message: 'model timeout' });
    const failed = await read(base.resourceId, owner.accessToken);
    expect(failed.data!.resourceProgress!.overallStatus).toBe('FAILED');
    const restarted = await report({ ...other, status: 'PROCESSING', percent: 5 });
    expect(restarted.errors).toBeUndefined();
    expect(restarted.data!.reportResourceProgress.overallStatus).toBe('PROCESSING');
  });

  it('refuses bad figures and a different owner, and writes nothing', async () => {
    const owner = await signUp(app);
    const resourceId = newResource();
    const base = { resourceId, ownerId: owner.user.id, stage: 'INGESTION' as const, status: 'PROCESSING' as const };
    expect(codeOf(await report({ ...base, percent: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await report({ ...base, message: 'x'.repeat(501) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await report({ ...base, ownerId: '00000000-0000-4000-8000-000000000000' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await report({ ...base, ownerId: 'nope' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await report({ ...base, resourceId: 'bad id' }))).toBe('BAD_USER_INPUT');
    expect((await read(resourceId, owner.accessToken)).data!.resourceProgress).toBeNull();
    await report(base);
    const stranger = await signUp(app);
    const hijack = await report({ ...base, ownerId: stranger.user.id });
    expect(codeOf(hijack)).toBe('CONFLICT');
    expect((await read(resourceId, owner.accessToken)).data!.resourceProgress!.ownerId).toBe(owner.user.id);
  });
});

describe('concurrent reports', () => {
  it('all land: five stages reported at once leave five stages, and repeats of one stage leave its last figures', async () => {
    const owner = await signUp(app);
    const resourceId = newResource();
    const stages = ['INGESTION', 'QUALITY', 'TAXONOMY', 'GRAPH', 'EMBEDDING'] as const;
    const answers = await Promise.all(
      stages.map((stage, i) =>
        report({ resourceId, ownerId: owner.user.id, stage, status: 'PROCESSING', percent: 10 * (i + 1) }),
      ),
    );
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    const progress = (await read(resourceId, owner.accessToken)).data!.resourceProgress!;
    expect(progress.stages.map((s) => [s.stage, s.status, s.percent])).toEqual(
      stages.map((stage, i) => [stage, 'PROCESSING', 10 * (i + 1)]),
    );
    expect(progress.percentComplete).toBe(30);
  });

  it('apply the transition rule to the stage as the previous report left it', async () => {
    const owner = await signUp(app);
    const base = { resourceId: newResource(), ownerId: owner.user.id, stage: 'GRAPH' as const };
    await report({ ...base, status: 'PROCESSING', percent: 1 });
    // Racing a completion: whichever lands second is judged against the first.
    const [done, late] = await Promise.all([
      report({ ...base, status: 'COMPLETED' }),
      report({ ...base, status: 'PROCESSING', percent: 50 }),
    ]);
    expect(done.errors).toBeUndefined();
    const final = (await read(base.resourceId, owner.accessToken)).data!.resourceProgress!.stages[3]!;
    if (late.errors) {
      expect(codeOf(late)).toBe('BAD_USER_INPUT');
      expect(final.status).toBe('COMPLETED');
    } else {
      // The late one landed first; the completion then moved it on.
      expect(final).toMatchObject({ status: 'COMPLETED', percent: 100 });
    }
  });
});

const extensionsOf = (outcome: PromiseSettledResult<unknown> | undefined) =>
  outcome?.status === 'rejected' ? (outcome.reason as { extensions?: Record<string, unknown> }).extensions : outcome?.status;

describe('reports made in one turn of the event loop', () => {
  it('share one statement and still get each its own answer, by a worker’s key or by an admin', async () => {
    const [owner, other] = [await signUp(app), await signUp(app)];
    const worker = (await app.services.serviceAccounts.authenticate(app.orm.em, workerKey))!;
    const [othersResource, finished, twice] = [newResource(), newResource(), newResource()];
    await report({ resourceId: othersResource, ownerId: other.user.id, stage: 'INGESTION', status: 'PROCESSING' });
    await report({ resourceId: finished, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    for (const reporter of [{ serviceAccountId: worker.id, keyHash: worker.keyHash }, null]) {
      const fresh = Array.from({ length: 12 }, () => newResource());
      const input = (resourceId: string, ownerId: string, stage: ProcessingStage, status: StageStatus, percent?: number) => ({
        resourceId,
        ownerId,
        stage,
        status,
        percent,
      });
      // Called together, as concurrent requests would: one batch (db/batched-read.ts).
      const settled = await Promise.allSettled(
        [
          ...fresh.map((id, i) => input(id, owner.user.id, 'QUALITY', 'PROCESSING', i + 1)),
          input(othersResource, owner.user.id, 'INGESTION', 'PROCESSING'),
          input(finished, owner.user.id, 'INGESTION', 'PROCESSING'),
          // The same resource twice in one batch: both land, judged one after the other.
          input(twice, owner.user.id, 'GRAPH', 'PROCESSING', 5),
          input(twice, owner.user.id, 'TAXONOMY', 'PROCESSING', 7),
        ].map((report) => app.services.progress.report(app.orm.em.fork(), report as never, reporter)),
      );
      for (const [i, outcome] of settled.slice(0, fresh.length).entries()) {
        expect(outcome.status).toBe('fulfilled');
        const view = (outcome as PromiseFulfilledResult<{ resourceId: string; stages: { percent: number | null }[] }>).value;
        expect(view.resourceId).toBe(fresh[i]);
        expect(view.stages[1]!.percent).toBe(i + 1);
      }
      const [stolen, backwards, first, second] = settled.slice(fresh.length) as PromiseSettledResult<unknown>[];
      expect(extensionsOf(stolen)).toMatchObject({ code: 'CONFLICT' });
      expect(extensionsOf(backwards)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
      expect([first?.status, second?.status]).toEqual(['fulfilled', 'fulfilled']);

      // An unknown owner fails its batch's statement: each report is then made alone and answered for itself.
      const withUnknownOwner = await Promise.allSettled(
        [
          input(newResource(), owner.user.id, 'INGESTION', 'PROCESSING', 1),
          input(newResource(), randomUUID(), 'INGESTION', 'PROCESSING'),
          input(newResource(), owner.user.id, 'INGESTION', 'PROCESSING', 3),
        ].map((report) => app.services.progress.report(app.orm.em.fork(), report as never, reporter)),
      );
      expect(withUnknownOwner.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(extensionsOf(withUnknownOwner[1])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ownerId' });
    }
    const both = (await read(twice, owner.accessToken)).data!.resourceProgress!;
    expect(both.stages.map((st) => st.percent)).toEqual([null, null, 7, 5, null]);
    expect((await read(othersResource, other.accessToken)).data!.resourceProgress!.ownerId).toBe(other.user.id);
  });
});

describe('reading progress', () => {
  it('is for the owner and admins; anyone else gets the null of an unknown id; anonymous callers are refused', async () => {
    const owner = await signUp(app);
    const other = await signUp(app);
    const resourceId = newResource();
    await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 50 });
    expect((await read(resourceId, owner.accessToken)).data!.resourceProgress!.percentComplete).toBe(10);
    expect((await read(resourceId, admin.accessToken)).data!.resourceProgress!.resourceId).toBe(resourceId);
    const foreign = await read(resourceId, other.accessToken);
    const unknown = await read('no-such-resource', other.accessToken);
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data).toEqual({ resourceProgress: null });
    expect(unknown.data).toEqual(foreign.data);
    expect(codeOf(await app.execute(ResourceProgressDocument, { resourceId }))).toBe('UNAUTHENTICATED');
  });
});

describe('reading progress beside the session check', () => {
  it('answers alike next to other fields and for several resources in one request', async () => {
    const owner = await signUp(app);
    const [a, b] = [newResource(), newResource()];
    await report({ resourceId: a, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 50 });
    await report({ resourceId: b, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    // The first field checks the session in the statement that reads its resource; the others read after it.
    const res = await app.post(
      {
        query: `query($a: ID!, $b: ID!) {
          x: resourceProgress(resourceId: $a) { resourceId percentComplete }
          me { id }
          y: resourceProgress(resourceId: $b) { resourceId percentComplete }
          z: resourceProgress(resourceId: "no-such-resource") { resourceId }
          again: resourceProgress(resourceId: $a) { percentComplete }
        }`,
        variables: { a, b },
      },
      { token: owner.accessToken },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      x: { resourceId: a, percentComplete: 10 },
      me: { id: owner.user.id },
      y: { resourceId: b, percentComplete: 20 },
      z: null,
      again: { percentComplete: 10 },
    });
  });

  it('is refused with UNAUTHENTICATED once the session has ended, whether or not the resource exists', async () => {
    const owner = await signUp(app);
    const resourceId = newResource();
    await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    await app.execute(LogoutDocument, {}, { token: owner.accessToken });
    for (const id of [resourceId, 'no-such-resource']) {
      const res = await read(id, owner.accessToken);
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
      expect(res.data?.resourceProgress ?? null).toBeNull();
    }
  });
});

describe('reading progress in simultaneous requests', () => {
  it('answers each request for its own reader and resource, whatever else its batch held', async () => {
    // The reads of requests that arrive together are one statement (db/batched-read.ts).
    const [first, second, ended] = [await signUp(app), await signUp(app), await signUp(app)];
    const [mine, theirs] = [newResource(), newResource()];
    await report({ resourceId: mine, ownerId: first.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 50 });
    await report({ resourceId: theirs, ownerId: second.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    await app.execute(LogoutDocument, {}, { token: ended.accessToken });
    const cases = [
      { token: first.accessToken, resourceId: mine, expected: { resourceId: mine, ownerId: first.user.id } },
      { token: first.accessToken, resourceId: theirs, expected: null }, // not the reader's
      { token: second.accessToken, resourceId: theirs, expected: { resourceId: theirs, ownerId: second.user.id } },
      { token: second.accessToken, resourceId: 'no-such-resource', expected: null },
      { token: admin.accessToken, resourceId: mine, expected: { resourceId: mine, ownerId: first.user.id } },
      { token: ended.accessToken, resourceId: mine, expected: 'UNAUTHENTICATED' as const },
    ];
    const many = Array.from({ length: 48 }, (_, i) => cases[i % cases.length]!);
    const answers = await Promise.all(many.map((c) => read(c.resourceId, c.token)));
    for (const [i, answer] of answers.entries()) {
      const { expected } = many[i]!;
      if (expected === 'UNAUTHENTICATED') expect(codeOf(answer)).toBe('UNAUTHENTICATED');
      else if (expected === null) expect(answer.data?.resourceProgress).toBeNull();
      else expect(answer.data?.resourceProgress).toMatchObject(expected);
    }
  });
});

describe('expiry', () => {
  it('hides a record 24 hours after its last update and purges it', async () => {
    const owner = await signUp(app);
    const resourceId = newResource();
    await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    // Access tokens last minutes, so the owner signs in afresh at each point in time.
    const tokenNow = async () =>
      (await app.execute(LoginDocument, { input: { identifier: owner.account.email, password: owner.account.password } })).data!
        .login.accessToken;
    app.clock.advance(23 * 3600 * 1000);
    try {
      expect((await read(resourceId, await tokenNow())).data!.resourceProgress).not.toBeNull();
      app.clock.advance(3600 * 1000);
      expect((await read(resourceId, await tokenNow())).data).toEqual({ resourceProgress: null });
      const purged = await app.purge();
      expect(purged.expiredProgress?.rows).toBeGreaterThanOrEqual(1);
      const rows = await app.orm.em
        .getConnection()
        .execute('select 1 from resource_progress where resource_id = ?', [resourceId]);
      expect(rows).toEqual([]);
      // A report after expiry starts a fresh record.
      const again = await report({ resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING' });
      expect(again.data!.reportResourceProgress.stages[0]!.status).toBe('PROCESSING');
    } finally {
      app.clock.advance(-24 * 3600 * 1000);
    }
  });

  it('starts afresh from an expired record that is not purged yet, for whichever owner reports now', async () => {
    const [first, second] = [await signUp(app), await signUp(app)];
    const resourceId = newResource();
    await report({ resourceId, ownerId: first.user.id, stage: 'INGESTION', status: 'COMPLETED' });
    await report({ resourceId, ownerId: first.user.id, stage: 'QUALITY', status: 'PROCESSING', percent: 60 });
    app.clock.advance(24 * 3600 * 1000);
    try {
      // A COMPLETED stage is final, and the resource was someone else's: neither counts once it expired.
      const again = await report({ resourceId, ownerId: second.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 5 });
      expect(again.errors).toBeUndefined();
      const progress = again.data!.reportResourceProgress;
      expect(progress.ownerId).toBe(second.user.id);
      expect(progress.stages.map((s) => [s.status, s.percent])).toEqual([
        ['PROCESSING', 5],
        ['PENDING', null],
        ['PENDING', null],
        ['PENDING', null],
        ['PENDING', null],
      ]);
      // Live again, so the new owner's record is now protected like any other.
      const hijack = await report({ resourceId, ownerId: first.user.id, stage: 'INGESTION', status: 'PROCESSING' });
      expect(codeOf(hijack)).toBe('CONFLICT');
    } finally {
      app.clock.advance(-24 * 3600 * 1000);
    }
  });
});
