import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ChangePasswordDocument,
  CreateServiceAccountDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  RegisterDocument,
  ReportResourceProgressDocument,
  RequestPasswordResetDocument,
  ResourceProgressDocument,
  RevokeServiceAccountDocument,
  SetUserTierDocument,
} from '../../src/client/generated/graphql.js';
import { createTestApp, newAccount, signUpAdmin, type TestApp, signedIn } from '../helpers/test-app.js';

// On Node 20 the first AsyncLocalStorage entered switches promise hooks on for the rest of the process,
// and every promise of every later request pays for them. MikroORM enters one whenever its unit of work
// runs (em.flush, em.commit, em.transactional): no request path may run it (see db/sql.ts `transaction`).
let app: TestApp;
const entered = vi.fn();
beforeAll(async () => {
  app = await createTestApp();
  for (const method of ['run', 'enterWith'] as const) {
    const original = AsyncLocalStorage.prototype[method] as (...args: unknown[]) => unknown;
    vi.spyOn(AsyncLocalStorage.prototype, method).mockImplementation(function (
      this: AsyncLocalStorage<unknown>,
      ...args: unknown[]
    ) {
      entered(method, new Error().stack);
      return original.apply(this, args);
    } as never);
  }
});
afterAll(() => vi.restoreAllMocks());

describe('request paths', () => {
  it('never enter an AsyncLocalStorage: sign-up, sign-in, sessions, admin, workers, progress, account mail', async () => {
    const admin = await signUpAdmin(app);
    const account = newAccount();
    const registered = signedIn((await app.execute(RegisterDocument, { input: account })).data!.register);
    const login = (await app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } })).data!
      .login;
    await app.execute(MeDocument, {}, { token: login.accessToken });
    await app.execute(RefreshDocument, { refreshToken: login.refreshToken });
    const worker = (await app.execute(CreateServiceAccountDocument, { name: 'w' }, { token: admin.accessToken })).data!
      .createServiceAccount;
    const resourceId = `ctx-${process.pid}`;
    const input = { resourceId, ownerId: registered.user.id, stage: 'INGESTION' as const, status: 'PROCESSING' as const };
    expect((await app.execute(ReportResourceProgressDocument, { input }, { token: worker.apiKey })).errors).toBeUndefined();
    await app.execute(ResourceProgressDocument, { resourceId }, { token: admin.accessToken });
    await app.execute(RevokeServiceAccountDocument, { id: worker.serviceAccount.id }, { token: admin.accessToken });
    const changed = await app.execute(
      ChangePasswordDocument,
      { currentPassword: account.password, newPassword: `${account.password}-new` },
      { token: registered.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    await app.execute(LogoutDocument, {}, { token: changed.data!.changePassword.accessToken });
    const tier = await app.execute(
      SetUserTierDocument,
      { userId: registered.user.id, tier: 'PREMIUM' },
      { token: admin.accessToken },
    );
    expect(tier.errors).toBeUndefined();
    // Written in the background, in a transaction of its own.
    await app.execute(RequestPasswordResetDocument, { email: account.email });
    const outbox = () =>
      app.orm.em
        .getConnection()
        .execute<{ n: string }[]>(
          `select count(*) as n from mail_outbox o join app_user u on u.id = o.user_id where u.email = ? and o.kind = 'RESET_PASSWORD'`,
          [account.email],
        );
    await expect.poll(async () => Number((await outbox())[0]!.n), { timeout: 10_000, interval: 20 }).toBe(1);

    expect(entered.mock.calls.map(([method, stack]) => `${method}\n${stack}`)).toEqual([]);
  });
});
