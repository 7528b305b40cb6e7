import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/**
 * `bytes` random bytes as text, for tokens and secrets. Drawn from a pool refilled 4 KiB at a time by the
 * CSPRNG, as node's randomUUID does: randomBytes per token costs an OpenSSL call (and a getpid) each, and a
 * sign-in makes three. Every byte is handed out once and zeroed as it is, so none is given twice and none
 * stays behind in the pool.
 */
export function randomText(bytes: number, encoding: 'base64url' | 'hex'): string {
  // A negative or fractional count would move `used` backwards over bytes already handed out (and zeroed),
  // so the next draw would repeat them; refuse it rather than trust every caller to pass a constant.
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new RangeError(`randomText needs a positive whole number of bytes, got ${bytes}`);
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString(encoding);
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString(encoding, used, used + bytes);
  pool.fill(0, used, used + bytes);
  used += bytes;
  return text;
}
