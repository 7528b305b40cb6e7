import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomText } from '../../src/random.js';

const decodedLength = (text: string, encoding: 'base64url' | 'hex') => Buffer.from(text, encoding).length;

describe('randomText', () => {
  it('gives exactly the bytes asked for, in the encoding asked for, across pool refills', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('base64url' as const, 'hex' as const)), {
          minLength: 1,
          maxLength: 60,
        }),
        (requests) => {
          for (const [bytes, encoding] of requests) {
            const text = randomText(bytes, encoding);
            expect(text).toMatch(encoding === 'hex' ? /^[0-9a-f]+$/ : /^[A-Za-z0-9_-]+$/);
            expect(decodedLength(text, encoding)).toBe(bytes);
          }
        },
      ),
    );
  });

  it('never hands out the same bytes twice, nor zeroed ones, over many refills of the pool', () => {
    // 20 000 tokens of 32 bytes is ~156 refills of a 4 KiB pool; a byte given twice would repeat a token.
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(randomText(32, 'hex'));
    expect(seen.size).toBe(20_000);
    // A slice of the pool zeroed by an earlier draw and handed out again would read as zeros.
    expect([...seen].some((t) => t.includes('0'.repeat(16)))).toBe(false);
  });

  it('refuses a count that is not a positive whole number, and what it hands out afterwards is still fresh', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.double({ noInteger: true }),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2),
        ),
        (bytes) => {
          const before = randomText(32, 'hex');
          expect(() => randomText(bytes, 'hex')).toThrow(RangeError);
          const after = randomText(32, 'hex');
          expect(after).not.toBe(before);
          expect(after).not.toContain('0'.repeat(16));
        },
      ),
    );
  });
});
