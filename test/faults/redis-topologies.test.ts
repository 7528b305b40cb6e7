import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { type OwnRedis, startOwnCluster, startOwnSentinel, uniquePrefix } from '../helpers/redis.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

/**
 * Tollgate on the Redis topologies operators run for availability: the master a Sentinel names, and a
 * Cluster. Each counts its budgets there, says in readiness which node(s) serve, and, when the node
 * holding a caller's counters hangs, answers at once on in-process counters as with one Redis
 * (test/faults/redis-outage.test.ts) and shares again once the node answers.
 */
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

const timeouts = { REDIS_COMMAND_TIMEOUT_MS: '200', REDIS_CONNECT_TIMEOUT_MS: '300' };
const limits = JSON.stringify({ 'Query.me': { FREE: 1000 }, 'Mutation.login': { FREE: 1000 } });

interface Topology {
  app: TestApp;
  /** Every key in the topology, with the node that holds it. */
  keys(): Promise<{ key: string; node: OwnRedis }[]>;
  /** What readiness must say serves. */
  serving: string[];
  mode: string;
}

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

const keysOf = async (node: OwnRedis) => {
  const probe = new Redis(node.url);
  try {
    return (await probe.keys('*')).map((key) => ({ key, node }));
  } finally {
    probe.disconnect();
  }
};

const topologies: Record<string, () => Promise<Topology>> = {
  async sentinel() {
    const sentinel = await startOwnSentinel('tollgate-test');
    stops.push(sentinel.stop);
    const app = await createTestApp({
      REDIS_SENTINELS: sentinel.sentinels,
      REDIS_SENTINEL_NAME: 'tollgate-test',
      REDIS_KEY_PREFIX: uniquePrefix(),
      RATE_LIMITS: limits,
      ...timeouts,
    });
    return {
      app,
      keys: () => keysOf(sentinel.master),
      serving: [`127.0.0.1:${sentinel.master.port}`],
      mode: 'sentinel',
    };
  },
  async cluster() {
    const cluster = await startOwnCluster(3);
    stops.push(cluster.stop);
    const app = await createTestApp({
      REDIS_CLUSTER_NODES: cluster.list,
      REDIS_KEY_PREFIX: uniquePrefix(),
      RATE_LIMITS: limits,
      ...timeouts,
    });
    return {
      app,
      keys: async () => (await Promise.all(cluster.nodes.map(keysOf))).flat(),
      serving: cluster.list.split(','),
      mode: 'cluster',
    };
  },
};

describe.each(Object.keys(topologies))('Redis as a %s', (name) => {
  it('holds the budgets, tagged by caller, says which node serves, and falls back while that node hangs', async () => {
    const { app, keys, serving, mode } = await topologies[name]!();
    const readiness = async () =>
      (await (await fetch(`${app.url}/health/ready`)).json()) as {
        status: string;
        checks: Record<string, { status: string; error?: string; mode?: string; serving?: string[] }>;
      };
    const user = await signUp(app);
    const me = () => app.execute(MeDocument, {}, { token: user.accessToken });
    const login = () =>
      app.execute(LoginDocument, { input: { identifier: user.account.email, password: user.account.password } });
    await expect.poll(async () => (await readiness()).status, { timeout: 10_000 }).toBe('ready');
    expect((await me()).errors).toBeUndefined();
    expect((await login()).errors).toBeUndefined();

    const ready = await readiness();
    expect(ready.checks.redis).toMatchObject({ status: 'up', mode });
    expect([...(ready.checks.redis?.serving ?? [])].sort()).toEqual([...serving].sort());

    // The caller, as a keyed hash (no key names anyone), is the key's hash tag: every counter of this user
    // hashes to one slot, on one node.
    const all = await keys();
    const meKey = all.find(({ key }) => key.includes(':rl:Query.me:FREE:{'))?.key ?? '';
    const tag = /\{[^}]+\}$/.exec(meKey)?.[0] ?? '(none)';
    expect(tag).not.toContain(user.user.id);
    const userKeys = all.filter(({ key }) => key.endsWith(tag));
    expect(userKeys.map(({ key }) => key)).toEqual(expect.arrayContaining([expect.stringContaining(':rl:Query.me:FREE:{')]));
    expect(new Set(userKeys.map(({ node }) => node.port)).size).toBe(1);
    const holder = userKeys[0]!.node;
    if (mode === 'cluster') {
      // A script over two of one caller's counters runs on a Cluster (different tags would be CROSSSLOT).
      const client = new Cluster(serving.map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })));
      try {
        const [a, b] = [`x:{user:${user.user.id}}:a`, `x:{user:${user.user.id}}:b`];
        expect(await client.eval(`redis.call('set', KEYS[1], 1); return redis.call('exists', KEYS[1], KEYS[2])`, 2, a, b)).toBe(
          1,
        );
        await expect(client.eval(`return redis.call('exists', KEYS[1], KEYS[2])`, 2, a, 'x:{someone-else}:b')).rejects.toThrow(
          /CROSSSLOT|different slots/,
        );
        await client.del(a);
      } finally {
        client.disconnect();
      }
    }

    holder.pause();
    try {
      for (let i = 0; i < 3; i++) {
        const [a, b] = await within(3000, Promise.all([me(), login()]));
        expect(a.data?.me.email).toBe(user.account.email);
        expect(codeOf(b)).toBeUndefined();
      }
      const down = await readiness();
      expect(down).toMatchObject({ status: 'degraded', checks: { database: { status: 'up' }, redis: { status: 'degraded' } } });
      expect(down.checks.redis?.error).toMatch(/redis unreachable: .+/);
    } finally {
      holder.resume();
    }
    await expect.poll(async () => (await readiness()).status, { timeout: 15_000 }).toBe('ready');
    expect((await me()).errors).toBeUndefined();
  });
});
