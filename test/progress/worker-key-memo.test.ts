import { beforeAll, describe, expect, it } from 'vitest';
import { CreateServiceAccountDocument } from '../../src/client/generated/graphql.js';
import { createTestApp, signUpAdmin, type TestApp } from '../helpers/test-app.js';

// A worker key found live is remembered for 30 s (lru-cache's ttl), on the app's clock: a report is then one
// round trip, and its statement still checks the key (worker-keys.security.test.ts). Here the key is revoked
// behind the service's back, so only the memo's age decides what `authenticate` answers.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

describe('the memo of live worker keys', () => {
  it('answers from memory for 30 s of the app clock, then asks the database again', async () => {
    const admin = await signUpAdmin(app);
    const created = await app.execute(CreateServiceAccountDocument, { name: 'memo' }, { token: admin.accessToken });
    const { apiKey, serviceAccount } = created.data!.createServiceAccount;
    const authenticate = () => app.services.serviceAccounts.authenticate(app.orm.em.fork(), apiKey);

    expect(await authenticate()).toMatchObject({ id: serviceAccount.id });
    await app.orm.em.getConnection().execute('update service_account set revoked_at = now() where id = ?', [serviceAccount.id]);
    app.clock.advance(29_999);
    expect(await authenticate()).toMatchObject({ id: serviceAccount.id });
    app.clock.advance(2);
    expect(await authenticate()).toBeNull();
  });
});
