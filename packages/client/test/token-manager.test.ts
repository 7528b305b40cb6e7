import { describe, expect, it, vi } from 'vitest';
import { TokenManager, type TokenManagerOptions } from '../src/index.js';
import { accessToken, channelHub, deferred, fakeLocks, manualTime, settle } from './fakes.js';

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Tollgate's refresh in cookie mode, as far as tabs can tell: one cookie for the origin, rotated by each
 * refresh; presenting a cookie that was already rotated is taken for theft and ends the session.
 */
function cookieSession(time: ReturnType<typeof manualTime>, userId = 'user-1') {
  let cookie = 0;
  let ended = false;
  const server = {
    refreshes: 0,
    reuseDetected: false,
    /** What one tab's refresh does: read the cookie now, answer later (the network), rotate on the server. */
    async refresh(): Promise<string | null> {
      const presented = cookie;
      await settle();
      server.refreshes++;
      if (ended) return null;
      if (presented !== cookie) {
        ended = true;
        server.reuseDetected = true;
        return null;
      }
      cookie++;
      return accessToken(userId, seconds(time.now()));
    },
    end: () => {
      ended = true;
    },
  };
  return server;
}

function tab(options: Partial<TokenManagerOptions> & Pick<TokenManagerOptions, 'renew'>, time: ReturnType<typeof manualTime>) {
  return new TokenManager({ locks: null, channel: null, now: time.now, timers: time.timers, ...options });
}

describe('TokenManager', () => {
  it('starts signed in when the refresh cookie belongs to a live session, and keeps the token in memory', async () => {
    const time = manualTime();
    const server = cookieSession(time);
    const tokens = tab({ renew: server.refresh }, time);
    expect(tokens.getState()).toEqual({ status: 'starting' });
    await tokens.start();
    expect(tokens.getState()).toEqual({ status: 'signed-in', userId: 'user-1' });
    const first = await tokens.accessToken();
    expect(await tokens.accessToken()).toBe(first);
    expect(server.refreshes).toBe(1);
  });

  it('starts signed out without a session, and says "unreachable" when Tollgate does not answer', async () => {
    const time = manualTime();
    const none = tab({ renew: async () => null }, time);
    await none.start();
    expect(none.getState()).toEqual({ status: 'signed-out' });
    expect(await none.accessToken()).toBeNull();

    const down = tab({ renew: async () => Promise.reject(new TypeError('fetch failed')) }, time);
    await down.start();
    expect(down.getState()).toEqual({ status: 'signed-out', reason: 'unreachable' });
  });

  it('renews a minute before expiry on its own timer, measured from arrival on the local clock', async () => {
    const time = manualTime();
    const server = cookieSession(time);
    const tokens = tab({ renew: server.refresh }, time);
    await tokens.start();
    const first = await tokens.accessToken();
    time.advance(13 * 60_000);
    await settle();
    expect(server.refreshes).toBe(1);
    time.advance(60_000); // 14 minutes into a 15-minute token
    await settle();
    expect(server.refreshes).toBe(2);
    expect(await tokens.accessToken()).not.toBe(first);
  });

  it('asks for a renewal when a token is due and the timer has not fired (a sleeping laptop)', async () => {
    const time = manualTime();
    const server = cookieSession(time);
    const tokens = tab({ renew: server.refresh, timers: { set: () => 0, clear: () => undefined } }, time);
    await tokens.start();
    const first = await tokens.accessToken();
    time.advance(20 * 60_000);
    const second = await tokens.accessToken();
    expect(second).not.toBe(first);
    expect(server.refreshes).toBe(2);
  });

  it('signs out with reason "ended" when a signed-in renewal is refused', async () => {
    const time = manualTime();
    const server = cookieSession(time);
    const tokens = tab({ renew: server.refresh }, time);
    await tokens.start();
    server.end();
    expect(await tokens.renew(await tokens.accessToken())).toBeNull();
    expect(tokens.getState()).toEqual({ status: 'signed-out', reason: 'ended' });
  });

  it('sends one refresh for concurrent callers in one tab', async () => {
    const time = manualTime();
    const server = cookieSession(time);
    const tokens = tab({ renew: server.refresh }, time);
    await tokens.start();
    time.advance(20 * 60_000);
    const results = await Promise.all([tokens.accessToken(), tokens.accessToken(), tokens.renew(null)]);
    expect(new Set(results).size).toBe(1);
    expect(server.refreshes).toBe(2);
    expect(server.reuseDetected).toBe(false);
  });

  describe('across tabs', () => {
    const tabs = (count: number, shared: { locks: boolean }) => {
      const time = manualTime();
      const server = cookieSession(time);
      const hub = channelHub();
      const locks = shared.locks ? fakeLocks() : null;
      const all = Array.from({ length: count }, () => tab({ renew: server.refresh, locks, channel: hub.channel() }, time));
      return { time, server, all };
    };

    it('renews one tab at a time under the lock; the others adopt the token without presenting the cookie', async () => {
      const { time, server, all } = tabs(3, { locks: true });
      await all[0]!.start();
      await settle();
      expect(all.map((t) => t.getState().status)).toEqual(['signed-in', 'signed-in', 'signed-in']);
      time.advance(20 * 60_000);
      const results = await Promise.all(all.map((t) => t.accessToken()));
      expect(new Set(results).size).toBe(1);
      expect(server.reuseDetected).toBe(false);
      expect(server.refreshes).toBe(2);
      expect(all.map((t) => t.getState().status)).toEqual(['signed-in', 'signed-in', 'signed-in']);
    });

    it('without the lock, two tabs present one cookie and Tollgate ends the session (why the lock is there)', async () => {
      const { time, server, all } = tabs(2, { locks: false });
      await all[0]!.start();
      await settle();
      time.advance(20 * 60_000);
      await Promise.all(all.map((t) => t.accessToken()));
      expect(server.reuseDetected).toBe(true);
    });

    it('a sign-out in one tab signs every tab out', async () => {
      const { all } = tabs(2, { locks: true });
      await all[0]!.start();
      await settle();
      all[1]!.signedOut();
      await settle();
      expect(all.map((t) => t.getState())).toEqual([{ status: 'signed-out' }, { status: 'signed-out' }]);
      expect(await all[0]!.accessToken()).toBeNull();
    });
  });

  it('tells listeners of every change and stops after unsubscribe', async () => {
    const time = manualTime();
    const server = cookieSession(time);
    const tokens = tab({ renew: server.refresh }, time);
    const listener = vi.fn();
    const unsubscribe = tokens.subscribe(listener);
    await tokens.start();
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    tokens.signedOut();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('is "replacing" while a task that re-issues the session runs, and adopts the token it returns', async () => {
    const time = manualTime();
    const tokens = tab({ renew: async () => null }, time);
    const task = deferred<string | null>();
    const running = tokens.replace(() => task.promise);
    expect(tokens.replacing).toBe(true);
    task.resolve(accessToken('user-2', seconds(time.now())));
    await running;
    expect(tokens.replacing).toBe(false);
    expect(tokens.getState()).toEqual({ status: 'signed-in', userId: 'user-2' });
  });

  it('clears its timer and closes its channel on dispose', async () => {
    const time = manualTime();
    const hub = channelHub();
    const tokens = tab({ renew: cookieSession(time).refresh, channel: hub.channel() }, time);
    await tokens.start();
    expect(time.pending()).toBe(1);
    tokens.dispose();
    expect(time.pending()).toBe(0);
  });
});

describe('TokenManager and the channel', () => {
  it('ignores a message it cannot read instead of failing the tab', async () => {
    const time = manualTime();
    const hub = channelHub();
    const tokens = tab({ renew: async () => null, channel: hub.channel() }, time);
    const other = hub.channel();
    other.postMessage({ type: 'token', accessToken: 'not-a-jwt' });
    other.postMessage({ type: 'something-new' });
    other.postMessage(null);
    await settle();
    expect(tokens.getState()).toEqual({ status: 'starting' });
  });
});
