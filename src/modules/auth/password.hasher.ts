import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with parameters other than the configured ones. */
  needsRehash(hash: string): boolean;
  /** Spends the time of one verification, for accounts that do not exist. */
  verifyDummy(password: string): Promise<void>;
}

export async function createPasswordHasher(params: Argon2Params): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id, ...params };
  const hash = (password: string) => argon2.hash(password, options);
  const verify = async (stored: string, password: string) => {
    try {
      return await argon2.verify(stored, password);
    } catch {
      return false; // a malformed stored hash matches nothing
    }
  };
  // Made once per process with the live parameters, so an unknown account costs exactly what a known one does.
  const dummyHash = await hash(randomBytes(32).toString('base64url'));
  return {
    hash,
    verify,
    needsRehash: (stored) => {
      try {
        return argon2.needsRehash(stored, options);
      } catch {
        return true;
      }
    },
    verifyDummy: async (password) => {
      await verify(dummyHash, password);
    },
  };
}
