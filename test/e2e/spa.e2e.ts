import { spawn } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateServiceAccountDocument, ReportResourceProgressDocument } from '../../src/client/generated/graphql.js';
import { newAccount, signUp, signUpAdmin } from '../helpers/test-app.js';
import { mailLinkFlows } from './mail-links.js';
import { isRefresh, profileOf, shot, signInForm, signInInBrowser, signUpInBrowser } from './pages.js';
import { exampleDir, RATE_LIMIT_STATUS_BUDGET, type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Uncaught exceptions in any page fail the test that opened it. */
const pageErrors: string[] = [];
afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

/** A browser profile of its own: another device, as far as Tollgate can tell. */
async function device(): Promise<BrowserContext> {
  const context = await stack.browser.newContext({ viewport: { width: 1100, height: 720 } });
  // Well inside the test's own timeout, so a failure names the step that waited.
  context.setDefaultTimeout(15_000);
  return context;
}

async function tab(context: BrowserContext, path = '/'): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(stack.appUrl + path);
  return page;
}

/** One account, signed up on a laptop and signed in on a phone: two devices as far as Tollgate can tell. */
async function signedInOnTwoDevices() {
  const laptop = await device();
  const phone = await device();
  const mine = await tab(laptop);
  const account = await signUpInBrowser(mine, stack.appUrl);
  const theirs = await tab(phone, '/sign-in');
  await signInInBrowser(theirs, account.email, account.password);
  await profileOf(theirs, account.email);
  return { laptop, phone, mine, theirs };
}

describe('the example SPA in a real browser', () => {
  it('signs up into the profile; the access token stays in memory and the refresh token in an HttpOnly cookie', async () => {
    const context = await device();
    const page = await tab(context, '/sign-up');
    await page.getByLabel('Email').waitFor();
    await shot(page, 'sign-up');
    const account = await signUpInBrowser(page, stack.appUrl);
    await shot(page, 'profile');

    // Scripts can read no token: only the device token (not a credential) is in storage.
    const scriptVisible = (await page.evaluate(
      'JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie])',
    )) as string;
    expect(scriptVisible).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(JSON.parse(scriptVisible)).toEqual([{ 'tollgate.deviceTokens': expect.stringContaining('"dt2.') }, {}, '']);
    const cookies = await context.cookies(`${stack.api.url}/graphql`);
    // Tollgate runs with its production cookie here (Secure, __Secure- prefix); browsers accept it on http://127.0.0.1.
    expect(cookies.map(({ name, httpOnly, secure, sameSite, path }) => ({ name, httpOnly, secure, sameSite, path }))).toEqual([
      { name: '__Secure-tollgate_refresh', httpOnly: true, secure: true, sameSite: 'Strict', path: '/graphql' },
    ]);

    // A reload forgets the access token; the cookie brings the session back.
    const refreshed = page.waitForResponse((r) => isRefresh(r.request().postData()));
    await page.reload();
    expect((await refreshed).status()).toBe(200);
    await profileOf(page, account.email);
    await context.close();
  });

  it('signs in with the username, signs out, and the other tab follows', async () => {
    const { account } = await signUp(stack.api);
    const context = await device();
    const first = await tab(context, '/sign-in');
    await signInForm(first);
    await shot(first, 'sign-in');
    await signInInBrowser(first, account.username ?? '', account.password);
    await profileOf(first, account.email);
    const second = await tab(context);
    await profileOf(second, account.email);

    await first.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInForm(first);
    await signInForm(second);
    expect(await context.cookies(`${stack.api.url}/graphql`)).toEqual([]);

    // The next sign-in, by email this time, presents the device token the first one returned.
    const login = first.waitForRequest((r) => r.postData()?.includes('"identifier"') ?? false);
    await signInInBrowser(first, account.email, account.password);
    expect(JSON.parse((await login).postData() ?? '{}').variables.input.deviceToken).toMatch(/^dt2\./);
    await profileOf(first, account.email);
    await context.close();
  });

  it('signs in with GitHub through the provider’s redirect; an unconfigured provider is named by its code', async () => {
    const { email } = newAccount();
    stack.github.nextIdentity({ id: Date.now(), login: 'octo', emails: [{ email, primary: true, verified: true }] });
    const context = await device();
    const page = await tab(context, '/sign-in');
    await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
    await profileOf(page, email);
    expect(new URL(page.url()).pathname).toBe('/');

    const other = await tab(await device(), '/sign-in');
    await other.getByRole('button', { name: 'Sign in with Google' }).click();
    await other.locator('[role=alert][data-code="OAUTH_PROVIDER_UNAVAILABLE"]').waitFor();
    await context.close();
    await other.context().close();
  });

  it('two tabs reloading at the same moment renew one at a time: no reuse detection, both stay signed in', async () => {
    const context = await device();
    const first = await tab(context);
    const account = await signUpInBrowser(first, stack.appUrl);
    const second = await tab(context);
    await profileOf(second, account.email);

    const refreshes: number[] = [];
    context.on('response', (r) => {
      if (isRefresh(r.request().postData())) refreshes.push(r.status());
    });
    await Promise.all([first.reload(), second.reload()]);
    await Promise.all([profileOf(first, account.email), profileOf(second, account.email)]);
    expect(refreshes.length).toBeGreaterThanOrEqual(1);

    // Had two refreshes raced one token (the grace window is off here), Tollgate would have ended the session.
    await second.getByRole('link', { name: 'Security history' }).click();
    await second.locator('[data-type="TOKEN_REFRESHED"]').first().waitFor();
    expect(await second.locator('[data-type="REFRESH_TOKEN_REUSED"]').count()).toBe(0);
    await shot(second, 'security-history');
    await first.getByRole('link', { name: 'Sessions' }).click();
    await first.getByText('This device').waitFor();
    await context.close();
  });

  it('renews ahead of expiry when both tabs’ timers fire together', async () => {
    const context = await device();
    await context.clock.install();
    const first = await tab(context);
    const account = await signUpInBrowser(first, stack.appUrl);
    const second = await tab(context);
    await profileOf(second, account.email);

    // Either tab may win the lock; the other adopts its token.
    const renewed = context.waitForEvent('response', (r) => isRefresh(r.request().postData()));
    // Access tokens live 15 minutes and are renewed a minute early: jump both tabs past that point at once.
    await context.clock.fastForward('14:05');
    expect((await renewed).status()).toBe(200);
    for (const page of [first, second]) {
      await page.getByRole('link', { name: 'Security history' }).click();
      await page.locator('[data-type="TOKEN_REFRESHED"]').first().waitFor();
      expect(await page.locator('[data-type="REFRESH_TOKEN_REUSED"]').count()).toBe(0);
    }
    await context.close();
  });

  it('revoking the other device from the sessions screen sends that device back to sign-in at once', async () => {
    const { laptop, phone, mine, theirs } = await signedInOnTwoDevices();

    await mine.getByRole('link', { name: 'Sessions' }).click();
    const other = mine.locator('tr[data-current="false"]');
    await other.waitFor();
    await shot(mine, 'sessions');
    await other.getByRole('button', { name: 'Revoke' }).click();
    await other.waitFor({ state: 'detached' });

    // No click on the phone: its live socket is closed by Tollgate, the renewal is refused, it signs out.
    await theirs.getByText('Your session has ended').waitFor();
    await signInForm(theirs);
    await laptop.close();
    await phone.close();
  });

  it('signs out everywhere: the other device returns to sign-in at once', async () => {
    const { laptop, phone, mine, theirs } = await signedInOnTwoDevices();

    await mine.getByRole('button', { name: 'Sign out everywhere' }).click();
    await signInForm(mine);
    await theirs.getByText('Your session has ended').waitFor();
    await laptop.close();
    await phone.close();
  });

  it('moves the progress bar live while the example worker reports, up to 100 %', async () => {
    const admin = await signUpAdmin(stack.api);
    const created = await stack.api.execute(CreateServiceAccountDocument, { name: 'e2e-worker' }, { token: admin.accessToken });
    const key = created.data?.createServiceAccount.apiKey ?? '';
    const owner = await signUp(stack.api);
    const context = await device();
    const page = await tab(context, '/sign-in');
    await signInInBrowser(page, owner.account.email, owner.account.password);
    await profileOf(page, owner.account.email);
    await page.goto(`${stack.appUrl}/progress?resource=e2e-job`);
    await page.getByText('No report on').waitFor();

    // The job is queued: the page finds it (it asks every second until then) and switches to the subscription.
    const queued = { resourceId: 'e2e-job', ownerId: owner.user.id, stage: 'INGESTION', status: 'PENDING' } as const;
    expect((await stack.api.execute(ReportResourceProgressDocument, { input: queued }, { token: key })).errors).toBeUndefined();
    await page.locator('[role=progressbar][aria-valuenow="0"]').waitFor();

    const worker = spawn(
      process.execPath,
      [
        'worker/report-progress.mjs',
        '--owner',
        owner.user.id,
        '--resource',
        'e2e-job',
        '--url',
        `${stack.api.url}/graphql`,
        '--step-ms',
        '250',
      ],
      { cwd: exampleDir, env: { ...process.env, TOLLGATE_API_KEY: key }, stdio: 'pipe' },
    );
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    const valueNow = `Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? -1)`;
    await page.waitForFunction(`${valueNow} > 0 && ${valueNow} < 100`, undefined, { polling: 'raf' });
    const midway = Number(await page.evaluate(valueNow));
    await page.waitForFunction(`${valueNow} === 100`, undefined, { polling: 'raf', timeout: 20_000 });
    await page.getByText('COMPLETED', { exact: false }).first().waitFor();
    await shot(page, 'progress');
    expect(midway).toBeGreaterThan(0);
    expect(await exited).toBe(0);
    await context.close();
  });

  it('shows the wait from retryAfter when an action is rate limited, and the headers of the last request', async () => {
    const context = await device();
    const page = await tab(context);
    await signUpInBrowser(page, stack.appUrl);
    await page.getByRole('link', { name: 'Rate limits' }).click();
    await page.getByRole('caption').waitFor();
    const lastBudget = page.getByTestId('last-budget');
    await lastBudget.filter({ hasText: 'RateLimitStatus' }).waitFor();

    // The page's own query spent one; spend the rest, then one more.
    for (let spent = 1; spent <= RATE_LIMIT_STATUS_BUDGET; spent++) {
      const answered = page.waitForResponse((r) => r.request().postData()?.includes('RateLimitStatus') ?? false);
      await page.getByRole('button', { name: 'Check again' }).click();
      expect((await answered).status()).toBe(spent < RATE_LIMIT_STATUS_BUDGET ? 200 : 429);
    }
    const refused = page.locator('[role=alert][data-code="RATE_LIMITED"]');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/^Too many requests\. Try again in \d+ (s|min)\.$/);
    expect(await lastBudget.textContent()).toMatch(
      new RegExp(`RateLimitStatus: 0 of ${RATE_LIMIT_STATUS_BUDGET} left.*retry after \\d+ s`),
    );
    await shot(page, 'rate-limits');
    await context.close();
  });

  it('fits a 390 px phone: no screen scrolls sideways, signed out or in', async () => {
    const phone = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(15_000);
    const page = await tab(phone, '/sign-in');
    const overflow = async (screen: string) => ({
      screen,
      scrollWidth: Number(await page.evaluate('document.documentElement.scrollWidth')),
    });
    const fits = (screen: string) => ({ screen, scrollWidth: expect.toSatisfy((w: number) => w <= 390) });

    const seen = [];
    await signInForm(page);
    seen.push(await overflow('sign-in'));
    for (const [path, heading] of [
      ['/sign-up', 'Create an account'],
      ['/forgot-password', 'Forgot your password?'],
    ] as const) {
      await page.goto(stack.appUrl + path);
      await page.getByRole('heading', { name: heading }).waitFor();
      seen.push(await overflow(path));
    }
    const account = await signUpInBrowser(page, stack.appUrl);
    seen.push(await overflow('profile'));
    // A second device, so the sessions table has a row with a Revoke button and a long user agent.
    const laptop = await device();
    const other = await tab(laptop, '/sign-in');
    await signInInBrowser(other, account.email, account.password);
    await profileOf(other, account.email);
    for (const [path, ready] of [
      ['/sessions', () => page.getByRole('button', { name: 'Revoke' }).waitFor()],
      ['/security', () => page.locator('.events li').first().waitFor()],
      ['/budget', () => page.getByRole('caption').waitFor()],
      ['/progress', () => page.getByRole('heading', { name: 'Progress', level: 1 }).waitFor()],
    ] as const) {
      await page.goto(stack.appUrl + path);
      await ready();
      seen.push(await overflow(path));
      await shot(page, `phone${path.replace('/', '-')}`);
    }
    // The links of the header are reachable with a tap: none covers another.
    await page.getByRole('link', { name: 'Profile' }).click();
    await profileOf(page, account.email);
    expect(seen).toEqual(seen.map((s) => fits(s.screen)));
    await laptop.close();
    await phone.close();
  });
});

mailLinkFlows({ stack: () => stack, device, tab });
