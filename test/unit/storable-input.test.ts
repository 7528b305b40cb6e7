import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUnstorable } from '../../src/graphql/storable-input.js';

const storable = fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\u0000'));
const bad = fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDC00\uD800');

describe('findUnstorable', () => {
  it('accepts every well-formed string without NUL, whole surrogate pairs included', () => {
    fc.assert(
      fc.property(storable, (s) => {
        expect(findUnstorable({ a: s, b: [s], c: { d: s } })).toBeNull();
      }),
    );
    expect(findUnstorable('emoji \uD83D\uDE00 ok')).toBeNull();
  });

  it('finds a NUL or an unpaired surrogate anywhere, and names where', () => {
    fc.assert(
      fc.property(storable, bad, storable, (before, char, after) => {
        const value = `${before}${char}${after}`;
        expect(findUnstorable(value)).toBe('');
        expect(findUnstorable({ input: { list: ['fine', value] } })).toBe('input.list[1]');
      }),
    );
  });
});
