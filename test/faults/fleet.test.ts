import { request } from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateServiceAccountDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  RegisterDocument,
  ReportResourceProgressDocument,
} from '../../src/client/generated/graphql.js';
import { generateSigningJwk } from '../../src/modules/token/key-ring.js';
import { codeOf } from '../helpers/graphql.js';
import { redisUrl, uniquePrefix } from '../helpers/redis.js';
import { subscribeToProgress } from '../helpers/subscriptions.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestApp, newAccount, signUpAdmin, type TestApp, signedIn } from '../helpers/test-app.js';

let a: TestApp;
let b: TestApp;
let balancer: TcpProxy;
let url: string;
let subscription: ReturnType<typeof subscribeToProgress> | undefined;
beforeAll(async () => {
  const env = {
    JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: uniquePrefix(),
    REFRESH_GRACE_SECONDS: '0',
    RATE_LIMITS: JSON.stringify({
      'Query.me': { FREE: 6 },
      'Mutation.register': { FREE: 1000 },
      'Mutation.refresh': { FREE: 1000 },
    }),
  };
  a = await createTestApp(env);
  b = await createTestApp(env, {}, { shareDatabaseWith: a });
  // One address in front of both, dealing connections round-robin as a layer-4 load balancer does.
  balancer = await startTcpProxy([a, b].map((app) => ({ host: '127.0.0.1', port: Number(new URL(app.url).port) })));
  url = `http://127.0.0.1:${balancer.port}`;
});
afterAll(async () => {
  await subscription?.close();
  await balancer.close();
});

/** One request on a connection of its own, so consecutive requests alternate between the instances. */
function send<R, V>(document: TypedDocumentNode<R, V>, variables: V, token?: string) {
  const body = JSON.stringify({ query: print(document), variables });
  return new Promise<{ data?: R | null; errors?: GraphQLFormattedError[] }>((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        agent: false,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { data?: R; errors?: GraphQLFormattedError[] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('two instances behind one address', () => {
  it('rotate refresh tokens as one: a token replayed on the other instance ends the session everywhere', async () => {
    const first = signedIn((await send(RegisterDocument, { input: newAccount() })).data!.register);
    const second = (await send(RefreshDocument, { refreshToken: first.refreshToken })).data!.refresh;
    expect(codeOf(await send(RefreshDocument, { refreshToken: first.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await send(RefreshDocument, { refreshToken: second.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await send(MeDocument, {}, second.accessToken))).toBe('UNAUTHENTICATED');
    expect(balancer.accepted.every((n) => n > 0)).toBe(true);
  });

  it('log out as one, and share one rate budget', async () => {
    const user = signedIn((await send(RegisterDocument, { input: newAccount() })).data!.register);
    for (let i = 0; i < 6; i++) expect((await send(MeDocument, {}, user.accessToken)).errors, `me ${i}`).toBeUndefined();
    expect(codeOf(await send(MeDocument, {}, user.accessToken))).toBe('RATE_LIMITED');
    expect(codeOf(await send(MeDocument, {}, user.accessToken))).toBe('RATE_LIMITED');

    const other = signedIn((await send(RegisterDocument, { input: newAccount() })).data!.register);
    expect((await send(LogoutDocument, {}, other.accessToken)).errors).toBeUndefined();
    expect(codeOf(await send(MeDocument, {}, other.accessToken))).toBe('UNAUTHENTICATED');
    expect(codeOf(await send(MeDocument, {}, other.accessToken))).toBe('UNAUTHENTICATED');
    expect(codeOf(await send(RefreshDocument, { refreshToken: other.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('deliver progress reported to either instance to a subscriber on the other', async () => {
    const admin = await signUpAdmin(a);
    const workerKey = (await send(CreateServiceAccountDocument, { name: 'worker' }, admin.accessToken)).data!.createServiceAccount
      .apiKey;
    const owner = signedIn((await send(RegisterDocument, { input: newAccount() })).data!.register);
    const resourceId = 'fleet-resource';
    const report = (percent: number) =>
      send(
        ReportResourceProgressDocument,
        { input: { resourceId, ownerId: owner.user.id, stage: 'INGESTION', status: 'PROCESSING', percent } },
        workerKey,
      );
    expect((await report(10)).errors).toBeUndefined();
    subscription = subscribeToProgress(url, owner.accessToken, resourceId);
    const sub = subscription;
    await expect.poll(() => sub.received.length, { timeout: 10_000 }).toBe(1);
    // Two reports: whichever instance holds the socket, one of them lands on the other.
    expect((await report(50)).errors).toBeUndefined();
    await expect.poll(() => sub.received.at(-1)?.stages[0]?.percent, { timeout: 10_000 }).toBe(50);
    expect((await report(90)).errors).toBeUndefined();
    await expect.poll(() => sub.received.at(-1)?.stages[0]?.percent, { timeout: 10_000 }).toBe(90);
    expect(sub.errors).toEqual([]);
  });
});
