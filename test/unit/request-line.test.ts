import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, requestLineWriter } from '../../src/logger.js';

/** A logger writing into an array, as the production one writes to stdout. */
function capturing(level: string) {
  const lines: string[] = [];
  const log = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines };
}

describe('the request line', () => {
  it('is the line pino writes for the same fields, whatever the client put in the path', () => {
    const { log, lines } = capturing('info');
    const write = requestLineWriter(log)!;
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^[A-Za-z0-9/._~%-]*$/), fc.constant('/graphql')),
        fc.constantFrom('GET', 'POST', 'OPTIONS'),
        fc.integer({ min: 100, max: 599 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (path, method, status, ms) => {
          lines.length = 0;
          const reqId = 'client-req-12345';
          write(reqId, method, path, status, ms);
          log.info({ reqId, method, path, status, ms }, 'request');
          const [ours, pinos] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
          expect(lines[0]!.endsWith('\n')).toBe(true);
          // Same keys in the same order, same values; only the clock may have moved between the two.
          expect(Object.keys(ours!)).toEqual(Object.keys(pinos!));
          expect({ ...ours, time: null }).toEqual({ ...pinos, time: null });
          expect(Date.parse(String(ours!.time))).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('is not built at all above info', () => {
    expect(requestLineWriter(capturing('warn').log)).toBeNull();
  });
});
