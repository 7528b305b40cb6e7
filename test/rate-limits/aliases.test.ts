import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createRateLimitDirective } from '../../src/graphql/rate-limit.directive.js';
import { applyPermissions } from '../../src/graphql/permissions.js';
import { buildBaseSchema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logger.js';
import { createLimiterFactory } from '../../src/modules/rate-limit/limiter-factory.js';
import { RequestRateLimits } from '../../src/modules/rate-limit/rate-limit.state.js';
import { createRateLimitStore, type RateLimitStore } from '../../src/modules/rate-limit/rate-limit.store.js';
import { buildRateLimitTable } from '../../src/modules/rate-limit/rate-limit.table.js';
import type { RequestContext } from '../../src/modules/request/request-context.js';
import { Tier } from '../../src/modules/user/tier.js';

/**
 * The aliases of one field in one operation are counted in one limiter call of as many points; budgets and
 * refusals are those of one point per alias (tier-limits.test.ts checks them over HTTP). Executed on the
 * real schema's directive and permissions, with the limiter's calls recorded.
 */
async function setUp(meLimit: number) {
  const real = createRateLimitStore(buildRateLimitTable({ 'Query.me': { FREE: meLimit } }), createLimiterFactory(null));
  const calls: { field: string; points: number }[] = [];
  const store: RateLimitStore = {
    ...real,
    consume(field, caller, points) {
      calls.push({ field, points });
      return real.consume(field, caller, points);
    },
  };
  const clock = () => new Date();
  const schema = applyPermissions(createRateLimitDirective(store, clock).transform(await buildBaseSchema()));
  const user = {
    id: 'u1',
    email: 'a@example.com',
    username: null,
    emailVerified: true,
    tier: Tier.FREE,
    createdAt: new Date(),
    lastLoginAt: null,
  };
  const run = async (query: string) => {
    const viewer = Promise.resolve({ user, session: { id: 's1' }, claims: {} });
    const contextValue = {
      client: { ip: '127.0.0.1', userAgent: null },
      log: createLogger({ level: 'silent' }),
      rateLimits: new RequestRateLimits(),
      viewer: () => viewer,
      caller: () => Promise.resolve({ tier: Tier.FREE, key: 'user:u1' }),
    } as unknown as RequestContext;
    const result = await execute({ schema, document: parse(query), contextValue });
    return { result, tightest: contextValue.rateLimits.tightest };
  };
  return { run, calls };
}

describe('aliases of one rate-limited field', () => {
  it('cost one point each, taken in one limiter call', async () => {
    const { run, calls } = await setUp(5);
    const { result, tightest } = await run('{ a: me { id } b: me { id } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: { id: 'u1' }, b: { id: 'u1' } });
    expect(calls).toEqual([{ field: 'Query.me', points: 2 }]);
    expect(tightest).toMatchObject({ field: 'Query.me', limit: 5, used: 2, remaining: 3 });
  });

  it('serve the aliases that fit in what is left and refuse the rest, as one point per alias would', async () => {
    const { run, calls } = await setUp(5);
    await run('{ a: me { id } b: me { id } c: me { id } d: me { id } }');
    const { result, tightest } = await run('{ a: me { id } b: me { id } }');
    expect(calls).toEqual([
      { field: 'Query.me', points: 4 },
      { field: 'Query.me', points: 2 },
    ]);
    // me is non-null: b's refusal nulls the whole response, and b is the one refused.
    expect(result.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['b', 'RATE_LIMITED']]);
    expect(tightest).toMatchObject({ remaining: 0 });
    const again = await run('{ a: me { id } }');
    expect(again.result.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
  });

  it('count a field once per resolution wherever it appears, fragments included', async () => {
    const { run, calls } = await setUp(10);
    const { result } = await run('{ a: me { id } ...F } fragment F on Query { b: me { id } c: me { email } }');
    expect(result.errors).toBeUndefined();
    expect(calls).toEqual([{ field: 'Query.me', points: 3 }]);
  });
});
