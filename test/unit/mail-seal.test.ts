import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutboxSeal, outboxKeys } from '../../src/modules/mail/mail.seal.js';

const key = (kid: string) => ({ kid, key: new Uint8Array(randomBytes(32)) });
const content = { to: 'ada@example.com', subject: 'Reset', text: 'https://x/reset?token=abc', html: '<a>x</a>' };

describe('the outbox seal', () => {
  it('opens what it sealed for the same row, and hides the address and the link', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ to: fc.string(), subject: fc.string(), text: fc.string(), html: fc.string() }), async (c) => {
        const seal = createOutboxSeal([key('a')]);
        const id = randomUUID();
        expect(await seal.open(id, await seal.seal(id, c))).toEqual(c);
      }),
      { numRuns: 50 },
    );
    const seal = createOutboxSeal([key('a')]);
    const sealed = await seal.seal(randomUUID(), content);
    expect(sealed).not.toContain('example.com');
    expect(sealed).not.toContain('token');
    expect(Buffer.from(sealed.split('.').join(''), 'base64url').toString('latin1')).not.toContain('ada@');
  });

  it('refuses a body moved to another row, a tampered one, and one under a key it does not have', async () => {
    const a = key('a');
    const seal = createOutboxSeal([a]);
    const id = randomUUID();
    const sealed = await seal.seal(id, content);
    expect(await seal.open(randomUUID(), sealed)).toBeNull();
    const parts = sealed.split('.');
    const cipher = Buffer.from(parts[3] as string, 'base64url');
    cipher[0] = (cipher[0] as number) ^ 1;
    parts[3] = cipher.toString('base64url');
    expect(await seal.open(id, parts.join('.'))).toBeNull();
    expect(await createOutboxSeal([key('b')]).open(id, sealed)).toBeNull();
    expect(await createOutboxSeal([{ kid: 'a', key: new Uint8Array(randomBytes(32)) }]).open(id, sealed)).toBeNull();
    expect(await seal.open(id, 'not a jwe')).toBeNull();
  });

  it('rotates: a new first key seals, the old one still opens what it sealed', async () => {
    const [oldKey, newKey] = [key('old'), key('new')];
    const id = randomUUID();
    const before = await createOutboxSeal([oldKey]).seal(id, content);
    const rotated = createOutboxSeal([newKey, oldKey]);
    expect(await rotated.open(id, before)).toEqual(content);
    const after = await rotated.seal(id, content);
    expect(JSON.parse(Buffer.from(after.split('.')[0] as string, 'base64url').toString()).kid).toBe('new');
    expect(await createOutboxSeal([oldKey]).open(id, after)).toBeNull();
  });

  it('uses OUTBOX_KEYS when set, else a key derived from AUTH_HMAC_KEY, else one of this process', () => {
    const hmac = randomBytes(32).toString('base64url');
    const configured = [{ kid: 'k', key: randomBytes(32).toString('base64url') }];
    expect(outboxKeys(configured, hmac).origin).toBe('configured');
    const derived = outboxKeys(null, hmac);
    expect(derived.origin).toBe('derived');
    expect(derived.keys).toEqual(outboxKeys(null, hmac).keys);
    expect(Buffer.from(derived.keys[0]!.key).equals(Buffer.from(hmac, 'base64url'))).toBe(false);
    const [one, two] = [outboxKeys(null, null), outboxKeys(null, null)];
    expect(one.origin).toBe('ephemeral');
    expect(one.keys[0]!.kid).not.toBe(two.keys[0]!.kid);
  });
});
