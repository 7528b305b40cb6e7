import { randomBytes } from 'node:crypto';
import { generateSigningJwk } from '../modules/token/key-ring.js';
import { commandName, runCli } from './run.js';

// Prints a JWT_SIGNING_KEYS value with one new Ed25519 key, a new AUTH_HMAC_KEY and an OUTBOX_KEYS entry, as .env lines. It
// reads no configuration, so it runs anywhere, the image included:
//   docker compose run --rm --no-deps -T api node dist/cli/keygen.js >> .env
// To rotate, put the new key first and keep the old one after it until the last token it signed has expired.
await runCli(commandName('keygen'), async () => {
  const jwk = await generateSigningJwk();
  process.stdout.write(`JWT_SIGNING_KEYS='${JSON.stringify([jwk])}'\n`);
  // Changing it later voids every device token (clients get new ones at their next sign-in).
  process.stdout.write(`AUTH_HMAC_KEY=${randomBytes(32).toString('base64url')}\n`);
  // To rotate, put a new one first and keep the old one until no mail sealed under it is pending.
  process.stdout.write(`OUTBOX_KEYS=${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64url')}\n`);
});
