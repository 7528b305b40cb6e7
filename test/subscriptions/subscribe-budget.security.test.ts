import { afterAll, describe, expect, it } from 'vitest';
import { CreateServiceAccountDocument, ReportResourceProgressDocument } from '../../src/client/generated/graphql.js';
import { createTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/test-app.js';
import { rawSocket } from '../helpers/ws.js';

let app: TestApp;
const sockets: ReturnType<typeof rawSocket>[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(sockets.map((s) => s.closed));
});

const FIELD = 'resourceProgressChanged(resourceId: $resourceId) { resourceId percentComplete }';
const documents = {
  plain: `subscription Plain($resourceId: ID!) { ${FIELD} }`,
  spread: `subscription Spread($resourceId: ID!) { ...Watch } fragment Watch on Subscription { ${FIELD} }`,
  inline: `subscription Inline($resourceId: ID!) { ... on Subscription { ${FIELD} } }`,
  nested: `subscription Nested($resourceId: ID!) { ...Outer } fragment Outer on Subscription { ... on Subscription { ...Inner } } fragment Inner on Subscription { ${FIELD} }`,
};

describe('the budget for starting subscriptions', () => {
  it('charges a subscription wrapped in a fragment or an inline fragment like a plain one', async () => {
    app = await createTestApp({
      RATE_LIMITS: JSON.stringify({ 'Subscription.resourceProgressChanged': { FREE: 3, windowSeconds: 60 } }),
    });
    const admin = await signUpAdmin(app);
    const workerKey = (await app.execute(CreateServiceAccountDocument, { name: 'w' }, { token: admin.accessToken })).data!
      .createServiceAccount.apiKey;
    const user = await signUp(app);
    const resourceId = 'budget-1';
    const reported = await app.execute(
      ReportResourceProgressDocument,
      { input: { resourceId, ownerId: user.user.id, stage: 'INGESTION', status: 'PROCESSING' } },
      { token: workerKey },
    );
    expect(reported.errors).toBeUndefined();

    const s = rawSocket(app.url, { token: user.accessToken });
    sockets.push(s);
    await expect.poll(s.acknowledged).toBe(true);
    const answer = async (query: string) => {
      const id = s.subscribe(query, { resourceId });
      await expect.poll(() => s.of(id).find((m) => m.type === 'next' || m.type === 'error')).toBeTruthy();
      const first = s.of(id).find((m) => m.type === 'next' || m.type === 'error')!;
      // Completed at once, so the per-socket cap never decides: only the budget does.
      if (first.type === 'next') await s.send({ type: 'complete', id });
      return first;
    };

    // Three starts in the window, however the field is wrapped; the fourth is refused, wrapped or not.
    for (const query of [documents.plain, documents.spread, documents.inline]) expect((await answer(query)).type).toBe('next');
    for (const query of [documents.nested, documents.inline, documents.spread]) {
      const refused = await answer(query);
      expect(refused.type).toBe('error');
      expect(refused.payload).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
    }
  });
});
