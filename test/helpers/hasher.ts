import type { AppOptions } from '../../src/app.js';
import type { PasswordHasher } from '../../src/modules/auth/password.hasher.js';

/** Hooks that count every password verification (real or dummy): how many guesses reached argon2. */
export function countingHasher(calls: { n: number }): NonNullable<AppOptions['hooks']> {
  return {
    hasher: (real: PasswordHasher): PasswordHasher => ({
      ...real,
      verify: (h, p) => {
        calls.n++;
        return real.verify(h, p);
      },
      verifyDummy: (p) => {
        calls.n++;
        return real.verifyDummy(p);
      },
    }),
  };
}
