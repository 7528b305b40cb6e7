import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_SUMMARY_MAX, clientSummary } from '../../src/modules/request/client-summary.js';

describe('clientSummary', () => {
  it('names common browsers and systems', () => {
    expect(clientSummary('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0')).toBe('Firefox 140 on Linux');
    expect(
      clientSummary(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome 131 on Windows');
    expect(clientSummary(null)).toBe('an unknown client');
  });

  it('never quotes a word the client chose', () => {
    expect(clientSummary('CallNow/99 (X11; Linux)')).toBe('an unknown client on Linux');
    expect(clientSummary('Mozilla/5.0 (compatible; Call5550100Now/1.0; +http://evil.example)')).not.toMatch(/Call|evil/);
    // Whatever the header says, the summary is made of the parser's known names, digits and a few joining words.
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.constantFrom('', 'Mozilla/5.0 ', 'Firefox/1 '), (text, lead) => {
        const summary = clientSummary(lead + text);
        expect(summary.length).toBeLessThanOrEqual(CLIENT_SUMMARY_MAX);
        expect(summary).toMatch(/^[A-Za-z0-9 .-]+$/);
      }),
      { numRuns: 300 },
    );
  });
});
