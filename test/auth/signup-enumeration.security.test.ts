import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, RegisterDocument, VerifyEmailDocument } from '../../src/client/generated/graphql.js';
import type { PasswordHasher } from '../../src/modules/auth/password.hasher.js';
import { codeOf } from '../helpers/graphql.js';
import { startSmtpServer, tokenIn } from '../helpers/smtp.js';
import { createTestApp, newAccount, signedIn, type TestApp } from '../helpers/test-app.js';

/** OWASP ASVS 6.3.8: sign-up must not tell a stranger which addresses have accounts. */

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: TestApp;
const hashes: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await createTestApp(
    { SMTP_URL: smtp.url, SIGNUP_MODE: 'verify-first', NOTIFY_NEW_SIGN_IN: 'false' },
    {
      hasher: (real): PasswordHasher => ({
        ...real,
        hash: (password) => {
          hashes.push(password);
          return real.hash(password);
        },
      }),
    },
  );
});
afterAll(() => smtp.stop());

/** What the client sees, minus what differs on every request anyway. */
const comparable = (res: { status: number; raw: string }, email: string) => ({
  status: res.status,
  body: res.raw.replaceAll(email, '<email>'),
});
const register = (input: ReturnType<typeof newAccount>) => app.execute(RegisterDocument, { input });
const login = (identifier: string, password: string) => app.execute(LoginDocument, { input: { identifier, password } });
const noticeSubject = 'Someone tried to sign up with your address';

describe('SIGNUP_MODE=verify-first', () => {
  it('answers a taken address exactly as a new one, and hashes the password both times', async () => {
    const owner = newAccount({ username: null });
    const r0 = await register(owner);
    expect(r0.data?.register).toEqual({ __typename: 'RegistrationPending', email: owner.email });
    const verify = await smtp.waitFor((m) => m.to === owner.email && m.subject === 'Confirm your email address');
    expect((await app.execute(VerifyEmailDocument, { token: tokenIn(verify) })).errors).toBeUndefined();

    hashes.length = 0;
    const fresh = newAccount({ username: null });
    const squatter = newAccount({ email: owner.email, username: null, password: 'the squatter’s passphrase 1' });
    const [taken, free] = [await register(squatter), await register(fresh)];
    expect(comparable(taken, owner.email)).toEqual(comparable(free, fresh.email));
    expect(taken.data?.register).toEqual({ __typename: 'RegistrationPending', email: owner.email });
    expect(hashes).toEqual([squatter.password, fresh.password]);

    // The owner is told; the squatter's password opens nothing, the owner's still does.
    await smtp.waitFor((m) => m.to === owner.email && m.subject === noticeSubject);
    expect(codeOf(await login(owner.email, squatter.password))).toBe('INVALID_CREDENTIALS');
    expect((await login(owner.email, owner.password)).data?.login.user.email).toBe(owner.email);
  });

  it('lets nobody in until the mailed link is followed', async () => {
    const person = newAccount();
    await register(person);
    expect(codeOf(await login(person.email, person.password))).toBe('EMAIL_NOT_VERIFIED');
    expect(codeOf(await login(person.email, 'not the password at all'))).toBe('INVALID_CREDENTIALS');
    // The sign-up's link, and a fresh one for the sign-in that knew the password (it replaces the first).
    await smtp.waitFor(() => smtp.to(person.email).length === 2);
    const mail = smtp.to(person.email).at(-1)!;
    expect((await app.execute(VerifyEmailDocument, { token: tokenIn(mail) })).errors).toBeUndefined();
    expect((await login(person.email, person.password)).data?.login.user.emailVerified).toBe(true);
  });

  it('limits the notices an address gets, however often its sign-up is tried', async () => {
    const owner = newAccount({ username: null });
    await register(owner);
    await smtp.waitFor((m) => m.to === owner.email);
    for (let i = 0; i < 8; i++) await register(newAccount({ email: owner.email, username: null }));
    // The verification mail and four notices: five mails per address per hour.
    await smtp.waitFor((m) => m.to === owner.email && smtp.to(owner.email).length === 5);
    const settled = await app.execute(RegisterDocument, { input: newAccount({ email: owner.email, username: null }) });
    expect(settled.data?.register.__typename).toBe('RegistrationPending');
    await smtp.waitFor(() => app.logs.filter((l) => l.includes('"event":"mail_target_limited"')).length >= 5);
    expect(smtp.to(owner.email).filter((m) => m.subject === noticeSubject)).toHaveLength(4);
  });

  it('answers a taken username with CONFLICT whether or not the address is taken too', async () => {
    const owner = newAccount();
    await register(owner);
    const withNewEmail = await register(newAccount({ username: owner.username }));
    const withTakenEmail = await register(newAccount({ email: owner.email, username: owner.username }));
    expect(codeOf(withNewEmail)).toBe('CONFLICT');
    expect(codeOf(withTakenEmail)).toBe('CONFLICT');
    expect(withNewEmail.errors?.[0]?.extensions?.field).toBe('username');
    expect(withTakenEmail.errors?.[0]?.extensions?.field).toBe('username');
  });
});

describe('SIGNUP_MODE=open', () => {
  it('keeps today’s behaviour: signs in at once, CONFLICT for a taken address', async () => {
    const open = await createTestApp({ SMTP_URL: smtp.url, SIGNUP_MODE: 'open' });
    const person = newAccount();
    const first = await open.execute(RegisterDocument, { input: person });
    expect(signedIn(first.data!.register).user.email).toBe(person.email);
    const again = await open.execute(RegisterDocument, { input: newAccount({ email: person.email }) });
    expect(codeOf(again)).toBe('CONFLICT');
  });
});
