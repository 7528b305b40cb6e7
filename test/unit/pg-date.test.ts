import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pgDate } from '../../src/db/sql.js';

/** A timestamptz as Postgres writes it as text in a session at `offset` hours, with 0 to 6 fraction digits. */
function pgText(instant: Date, micros: number, digits: number, offset: number): string {
  const local = new Date(instant.getTime() + offset * 3_600_000).toISOString();
  const fraction =
    digits === 0
      ? ''
      : `.${String(instant.getUTCMilliseconds() * 1000 + micros)
          .padStart(6, '0')
          .slice(0, digits)}`;
  const sign = offset < 0 ? '-' : '+';
  return `${local.slice(0, 10)} ${local.slice(11, 19)}${fraction}${sign}${String(Math.abs(offset)).padStart(2, '0')}`;
}

describe('pgDate', () => {
  it('reads the instant of a timestamptz text in any session time zone, to the millisecond', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9000-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(0, 0, 0, 1, -5, 9, 14, -12),
        (instant, micros, digits, offset) => {
          const text = pgText(instant, micros, digits, offset);
          const expected = Math.floor(instant.getTime() / 10 ** (3 - Math.min(digits, 3))) * 10 ** (3 - Math.min(digits, 3));
          expect(pgDate(text).getTime()).toBe(expected);
        },
      ),
    );
  });

  it('passes Dates and null through', () => {
    const now = new Date();
    expect(pgDate(now)).toBe(now);
    expect(pgDate(null)).toBeNull();
  });
});
