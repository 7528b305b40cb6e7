import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { normalizePassword } from './credentials.rules.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * `stale`: the password is right, but the stored hash should be replaced — it was made with other
 * parameters, or before passwords were normalised.
 */
export type PasswordVerdict = 'match' | 'stale' | 'mismatch';

export interface PasswordHasher {
  /** Hashes the NFKC form, so every way of typing one password yields the same secret. */
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<PasswordVerdict>;
  /** Spends the time of one verification, for accounts that do not exist. */
  verifyDummy(password: string): Promise<void>;
}

export async function createPasswordHasher(params: Argon2Params): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id, ...params };
  const hash = (password: string) => argon2.hash(normalizePassword(password), options);
  const check = async (stored: string, password: string) => {
    try {
      return await argon2.verify(stored, password);
    } catch {
      return false; // a malformed stored hash matches nothing
    }
  };
  // A hash made with the live parameters begins with exactly this (node-argon2 writes them in this order), so
  // the usual sign-in decides without parsing the hash a second time; anything else is left to the library.
  const currentPrefix = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  const needsRehash = (stored: string) => {
    if (stored.startsWith(currentPrefix)) return false;
    try {
      return argon2.needsRehash(stored, options);
    } catch {
      return true;
    }
  };
  const verify = async (stored: string, password: string): Promise<PasswordVerdict> => {
    const normalized = normalizePassword(password);
    if (await check(stored, normalized)) return needsRehash(stored) ? 'stale' : 'match';
    // A hash made before normalisation holds the password exactly as typed. Only a password that
    // normalisation changes can need this second try, so most logins never pay for it.
    if (normalized !== password && (await check(stored, password))) return 'stale';
    return 'mismatch';
  };
  // Made once per process with the live parameters, so an unknown account costs exactly what a known one does.
  const dummyHash = await hash(randomBytes(32).toString('base64url'));
  return {
    hash,
    verify,
    verifyDummy: async (password) => {
      await verify(dummyHash, password);
    },
  };
}
