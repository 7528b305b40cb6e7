import { randomBytes } from 'node:crypto';
import { generateSigningJwk } from '../modules/token/key-ring.js';

// Prints a JWT_SIGNING_KEYS value with one new Ed25519 key. To rotate, put the new key first and keep
// the old one after it until the last token it signed has expired.
const jwk = await generateSigningJwk();
process.stdout.write(`JWT_SIGNING_KEYS='${JSON.stringify([jwk])}'\n`);
// And a new AUTH_HMAC_KEY. Changing it later voids every device token (clients get new ones at their next sign-in).
process.stdout.write(`AUTH_HMAC_KEY=${randomBytes(32).toString('base64url')}\n`);
// And an OUTBOX_KEYS entry. To rotate, put a new one first and keep the old one until no mail sealed under it is pending.
process.stdout.write(`OUTBOX_KEYS=${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64url')}\n`);
