import { describe, expect, it } from 'vitest';
import { DeviceTokens, errorInfo, formatWait, TollgateError } from '../src/index.js';
import { memoryStorage } from './fakes.js';

describe('errorInfo', () => {
  it('reads the first error of every shape an error reaches an app in', () => {
    const extensions = { code: 'RATE_LIMITED', retryAfter: 7, field: 'me' };
    expect(errorInfo(new TollgateError({ code: 'RATE_LIMITED', retryAfter: 7 }))).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: 7,
    });
    // A GraphQL response, or Apollo's CombinedGraphQLErrors: an `errors` array.
    expect(errorInfo({ errors: [{ message: 'x', extensions }] })).toEqual(extensions);
    // Apollo's ServerError: a non-2xx answer whose body is kept as text.
    expect(errorInfo({ bodyText: JSON.stringify({ errors: [{ message: 'x', extensions }] }) })).toEqual(extensions);
    expect(errorInfo({ bodyText: '<html>bad gateway</html>' })).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(errorInfo({ errors: [{ message: 'no code' }] })).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(errorInfo({ errors: [{ message: 'x', extensions: { code: 'X', retryAfter: '7', field: 3 } }] })).toEqual({
      code: 'X',
    });
  });

  it('is null when nothing was answered (a network failure)', () => {
    expect(errorInfo(new TypeError('fetch failed'))).toBeNull();
    expect(errorInfo(null)).toBeNull();
    expect(errorInfo('boom')).toBeNull();
  });
});

describe('DeviceTokens', () => {
  it('keeps tokens per account under a key like any other, `__proto__` included', () => {
    const storage = memoryStorage();
    const devices = new DeviceTokens(storage);
    devices.keep('device-1', { email: 'a@example.com', username: '__proto__' });
    expect(devices.for('__proto__')).toBe('device-1');
    expect(devices.for('constructor')).toBeNull();
    expect(new DeviceTokens(storage).for('A@EXAMPLE.COM')).toBe('device-1');
  });

  it('survives storage that is blocked, full or holds garbage', () => {
    const blocked = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const devices = new DeviceTokens(blocked);
    expect(() => devices.keep('d', { email: 'a@example.com' })).not.toThrow();
    expect(devices.for('a@example.com')).toBeNull();
    expect(new DeviceTokens(memoryStorage({ 'tollgate.deviceTokens': '{nope' })).for('a')).toBeNull();
    expect(new DeviceTokens(memoryStorage({ 'tollgate.deviceTokens': '{"a":7}' })).for('a')).toBeNull();
    const memory = new DeviceTokens(null);
    memory.keep('d', { email: 'a@example.com' });
    expect(memory.for('a@example.com')).toBe('d');
  });
});

describe('formatWait', () => {
  it('says a wait in the unit people read', () => {
    expect([0.2, 42, 60, 61, 3599, 3600, 7201].map(formatWait)).toEqual(['1 s', '42 s', '1 min', '2 min', '1 h', '1 h', '3 h']);
  });
});
