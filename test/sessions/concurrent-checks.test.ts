import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogoutDocument, MeDocument, RefreshDocument } from '../../src/client/generated/graphql.js';
import { codeOf } from '../helpers/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

// The session checks of requests that arrive together run as one statement (db/batched-read.ts): each
// request must still get its own session's answer, whatever else is in the batch.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string; sub: string };

describe('session checks made together', () => {
  it('answer each key for its own session: alive, ended, another user’s, unknown, the same one twice', async () => {
    const [alive, ended, other] = [await signUp(app), await signUp(app), await signUp(app)];
    await app.execute(LogoutDocument, {}, { token: ended.accessToken });
    const a = claimsOf(alive.accessToken);
    const keys = [
      a,
      claimsOf(ended.accessToken),
      { sid: a.sid, sub: other.user.id }, // a live session, named with the wrong user
      { sid: randomUUID(), sub: a.sub },
      claimsOf(other.accessToken),
      a,
      { sid: 'not-a-uuid', sub: a.sub },
    ];
    const found = await Promise.all(keys.map((k) => app.services.sessions.findActive(app.orm.em, k.sid, k.sub)));
    expect(found.map((f) => f?.user.id ?? null)).toEqual([alive.user.id, null, null, null, other.user.id, alive.user.id, null]);
    expect(found[0]).toMatchObject({ session: { id: a.sid }, user: { email: alive.account.email, tier: 'FREE' } });
  });

  it('over HTTP: every one of many simultaneous requests is answered for its own token', async () => {
    const users = [await signUp(app), await signUp(app), await signUp(app)];
    const ended = await signUp(app);
    await app.execute(LogoutDocument, {}, { token: ended.accessToken });
    const tokens = Array.from({ length: 60 }, (_, i) => (i % 4 === 3 ? ended : users[i % 4]!));
    const answers = await Promise.all(tokens.map((t) => app.execute(MeDocument, {}, { token: t.accessToken })));
    for (const [i, answer] of answers.entries()) {
      if (tokens[i] === ended) expect(codeOf(answer)).toBe('UNAUTHENTICATED');
      else expect(answer.data?.me.id).toBe(tokens[i]!.user.id);
    }
  });

  it('refreshes of known chains made together: each rotates its own session; a duplicate gets the grace answer', async () => {
    // This process issued these refresh tokens, so each refresh is one statement, and those made in one
    // turn of the event loop are one (db/batched-read.ts), in rounds of distinct sessions.
    const users = [await signUp(app), await signUp(app), await signUp(app), await signUp(app)];
    const client = { ip: '127.0.0.1', userAgent: 'concurrent-test' };
    const presented = [...users.map((u) => u.refreshToken!), users[0]!.refreshToken!, 'not-a-refresh-token'];
    const outcomes = await Promise.all(presented.map((token) => app.services.sessions.refresh(app.orm.em.fork(), token, client)));
    for (const [i, user] of users.entries()) {
      if (i === 0) continue; // presented twice: below
      expect(outcomes[i]).toMatchObject({
        kind: 'rotated',
        session: { id: claimsOf(user.accessToken).sid, user: { id: user.user.id } },
      });
    }
    // The same token twice: one rotation, and the other answered with the chain's current token.
    const twice = [outcomes[0]!, outcomes[users.length]!];
    expect(twice.map((o) => o.kind).sort()).toEqual(['grace', 'rotated']);
    const [first, second] = twice as { refreshToken: string }[];
    expect(first!.refreshToken).toBe(second!.refreshToken);
    expect(outcomes.at(-1)).toEqual({ kind: 'invalid' });
    // Each successor is the live token of its chain: it refreshes again over HTTP, and the old one is spent.
    for (const [i, user] of users.entries()) {
      const successor = (outcomes[i] as { refreshToken: string }).refreshToken;
      const again = await app.execute(RefreshDocument, { refreshToken: successor });
      expect(again.data?.refresh.user.id).toBe(user.user.id);
    }
    const events = await app.orm.em
      .getConnection()
      .execute(
        `select user_id, count(*)::int as n from security_event where type = 'TOKEN_REFRESHED' and user_id in (?) group by user_id`,
        [users.map((u) => u.user.id)],
      );
    expect(events.map((e) => (e as { n: number }).n)).toEqual([2, 2, 2, 2]);
  });
});
