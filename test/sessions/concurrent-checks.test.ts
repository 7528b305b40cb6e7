import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogoutDocument, MeDocument } from '../../src/client/generated/graphql.js';
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
});
