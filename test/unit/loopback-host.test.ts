import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/http/loopback-host.js';

describe('isLoopbackHost', () => {
  it('accepts this machine’s names, with or without a port', () => {
    for (const host of ['localhost', 'LOCALHOST:4000', '127.0.0.1', '127.0.0.1:4000', '127.1.2.3:80', '[::1]', '[::1]:4000']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('refuses every other name, including ones that merely contain a loopback one', () => {
    for (const host of [
      undefined,
      '',
      'attacker.example',
      'attacker.example:4000',
      'localhost.attacker.example',
      '127.0.0.1.nip.io',
      '10.0.0.1:4000',
      '[::2]:4000',
      '0.0.0.0:4000',
      '[::ffff:10.0.0.1]',
    ]) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });
});
