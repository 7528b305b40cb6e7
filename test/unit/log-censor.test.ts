import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CENSOR, CENSOR_DEPTH, censorSecrets, createLogger, secretKeys } from '../../src/logger.js';

const keys = fc.constantFrom(...secretKeys, 'event', 'userId', 'headers', 'input', 'a', '0');
const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.dictionary(keys, tie('tree'), { maxKeys: 4 }),
    fc.array(tie('tree'), { maxLength: 3 }),
  ),
}));

/**
 * What censorSecrets promises, checked against the input: down to CENSOR_DEPTH levels a secret key's value
 * is the censor and every other value is its input's, censored the same way; below that, values are the
 * input's own. Returns whether anything was censored.
 */
function expectCensored(input: unknown, output: unknown, depth: number): boolean {
  if (depth === 0 || input === null || typeof input !== 'object' || input instanceof Date) {
    expect(output).toBe(input);
    return false;
  }
  expect(Array.isArray(output)).toBe(Array.isArray(input));
  const inObj = input as Record<string, unknown>;
  const outObj = output as Record<string, unknown>;
  expect(Object.keys(outObj)).toEqual(Object.keys(inObj));
  let censored = false;
  for (const key of Object.keys(inObj)) {
    if (secretKeys.has(key)) {
      expect(outObj[key]).toBe(CENSOR);
      censored = true;
    } else censored = expectCensored(inObj[key], outObj[key], depth - 1) || censored;
  }
  // Copy-on-write: an object with nothing to censor comes back as it is.
  if (!censored) expect(output).toBe(input);
  return censored;
}

describe('censorSecrets', () => {
  it('censors every secret key down to its depth, keeps everything else, and never changes its input', () => {
    fc.assert(
      fc.property(tree, (input) => {
        const before = structuredClone(input);
        const output = censorSecrets(input);
        expectCensored(input, output, CENSOR_DEPTH);
        expect(input).toEqual(before);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the prototype of what it copies', () => {
    const error = Object.assign(new Error('boom'), { password: 'hunter2' });
    const out = censorSecrets({ err: error }).err;
    expect(out).toBeInstanceOf(Error);
    expect(out.password).toBe(CENSOR);
    expect(out.message).toBe('boom');
    expect(out.stack).toBe(error.stack);
    const frozen = Object.freeze({ token: 'abc', keep: 1 });
    expect(censorSecrets({ frozen }).frozen).toEqual({ token: CENSOR, keep: 1 });
    expect(error.password).toBe('hunter2');
  });
});

describe('the logger', () => {
  it('writes no secret from a line, a child logger or an error, at any depth a request carries them', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
    const secrets = ['pw-canary-1', 'cookie-canary-2', 'bearer-canary-3', 'token-canary-4', 'vars-canary-5', 'pw-canary-6'];
    const later = 'set-bindings-canary-7';
    log.info({ password: secrets[0], req: { headers: { cookie: secrets[1], authorization: secrets[2] } } }, 'one');
    log
      .child({ scope: 'outer' })
      .child({ token: secrets[3] })
      .warn({ body: { variables: { p: secrets[4] } } }, 'two');
    log.error({ err: Object.assign(new Error('three'), { input: { password: secrets[5] } }) }, 'three');
    const bound = log.child({ scope: 'later' });
    bound.setBindings({ cookie: later });
    bound.info('four');
    expect(lines).toHaveLength(4);
    const text = lines.join('');
    for (const secret of [...secrets, later]) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[3]!)).toMatchObject({ scope: 'later', cookie: CENSOR });
    const [one, two, three] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(one).toMatchObject({ password: CENSOR, req: { headers: { cookie: CENSOR, authorization: CENSOR } } });
    expect(two).toMatchObject({ token: CENSOR, body: { variables: CENSOR } });
    expect(three!.err).toMatchObject({ message: 'three', input: { password: CENSOR } });
  });
});
