import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LoginDocument, RegisterDocument } from '../../src/client/generated/graphql.js';
import type { PasswordHasher } from '../../src/modules/auth/password.hasher.js';
import { createTestApp, newAccount } from '../helpers/test-app.js';

describe('shutdown', () => {
  it('lets an in-flight request finish, then stops taking new ones and closes the pool', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holdNext = false;
    const app = await createTestApp(
      {},
      {
        hasher: (real): PasswordHasher => ({
          ...real,
          verify: async (hash, password) => {
            if (holdNext) {
              entered();
              await gate;
            }
            return real.verify(hash, password);
          },
        }),
      },
    );
    const account = newAccount();
    await app.execute(RegisterDocument, { input: account });

    holdNext = true;
    const inFlight = app.execute(LoginDocument, { input: { identifier: account.email, password: account.password } });
    await inside;
    const closing = app.close();
    // A new connection is refused (a keep-alive one already open would still be answered, with Connection: close).
    await expect
      .poll(
        () =>
          onNewConnection(`${app.url}/health/live`).then(
            () => 'answered',
            () => 'refused',
          ),
        { timeout: 10_000 },
      )
      .toBe('refused');
    release();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.data?.login.user.email).toBe(account.email);
    await closing;
    expect(await app.orm.isConnected()).toBe(false);
  });
});

const onNewConnection = (url: string) =>
  new Promise<number | undefined>((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
