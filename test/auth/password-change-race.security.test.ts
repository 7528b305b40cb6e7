import { describe, expect, it } from 'vitest';
import { ChangePasswordDocument, LoginDocument } from '../../src/client/generated/graphql.js';
import type { PasswordVerdict } from '../../src/modules/auth/password.hasher.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp } from '../helpers/test-app.js';

/**
 * Someone who knows the old password keeps signing in while the owner changes it (the reason to change
 * it). A sign-in whose password was checked against the old hash must not open a session once the hash
 * has changed, nor, when it rehashes a stale hash, write the old password back over the new one.
 */
describe('a sign-in racing a password change', () => {
  for (const verdict of ['match', 'stale'] as const satisfies readonly PasswordVerdict[]) {
    it(`is refused, and the change stands (the old hash ${verdict === 'stale' ? 'due a rehash' : 'current'})`, async () => {
      const gate: { hold: boolean; entered?: () => void; release?: () => void } = { hold: false };
      const app = await createTestApp(
        {},
        {
          // Holds one sign-in right after its password was checked against the stored hash.
          hasher: (real) => ({
            ...real,
            verify: async (hash, password) => {
              const result = await real.verify(hash, password);
              if (!gate.hold) return result;
              gate.hold = false;
              await new Promise<void>((resolve) => {
                gate.release = resolve;
                gate.entered?.();
              });
              return result === 'match' ? verdict : result;
            },
          }),
        },
      );
      const owner = await signUp(app);
      const entered = new Promise<void>((resolve) => (gate.entered = resolve));
      gate.hold = true;
      const attacker = app.execute(LoginDocument, {
        input: { identifier: owner.account.email, password: owner.account.password },
      });
      await entered;

      const newPassword = 'a brand new passphrase 9876 qwerty';
      const changed = await app.execute(
        ChangePasswordDocument,
        { currentPassword: owner.account.password, newPassword },
        { token: owner.accessToken },
      );
      expect(changed.errors).toBeUndefined();
      gate.release!();

      expect(codeOf(await attacker)).toBe('INVALID_CREDENTIALS');
      const withOld = await app.execute(LoginDocument, {
        input: { identifier: owner.account.email, password: owner.account.password },
      });
      expect(codeOf(withOld)).toBe('INVALID_CREDENTIALS');
      const withNew = await app.execute(LoginDocument, { input: { identifier: owner.account.email, password: newPassword } });
      expect(withNew.errors).toBeUndefined();
      expect(withNew.data?.login.accessToken).toEqual(expect.any(String));
    });
  }
});
