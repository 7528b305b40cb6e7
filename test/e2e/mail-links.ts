import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ReceivedMail, tokenIn } from '../helpers/smtp.js';
import { newAccount, signUp } from '../helpers/test-app.js';
import { alertWithCode, isRefresh, linkIn, profileOf, shot, signInForm, signInInBrowser, signUpInBrowser } from './pages.js';
import type { Stack } from './stack.js';

interface Browser {
  stack: () => Stack;
  device: () => Promise<BrowserContext>;
  tab: (context: BrowserContext, path?: string) => Promise<Page>;
}

/**
 * The pages Tollgate's mails link to, opened from the link in a mail that a real SMTP server received, as
 * a person clicks it. Registered by spa.e2e.ts so they share its Tollgate, app server and browser.
 */
export function mailLinkFlows({ stack, device, tab }: Browser) {
  const mailTo = (to: string, subject: string) => stack().smtp.waitFor((m) => m.to === to && m.subject === subject);
  /** The mail's link, checked to open the app with the token Tollgate issued. */
  const link = (mail: ReceivedMail, path: string) => {
    const href = linkIn(mail);
    const url = new URL(href);
    expect(url.origin + url.pathname).toBe(stack().appUrl + path);
    expect(url.searchParams.get('token')).toBe(tokenIn(mail));
    return href;
  };
  const verified = (page: Page, value: boolean) => page.locator(`[data-testid=email-status][data-verified="${value}"]`);
  /** The token is read, then gone from the address bar (and so from history and any Referer). */
  const tokenGone = (page: Page) => expect(new URL(page.url()).search).toBe('');

  describe('links from Tollgate’s mails', () => {
    it('verifies the address from the sign-up mail; the profile turns "Verified"; the used link is refused by code', async () => {
      const context = await device();
      const page = await tab(context, '/sign-up');
      const account = await signUpInBrowser(page, stack().appUrl);
      await verified(page, false).waitFor();
      await shot(page, 'profile-unverified');

      const href = link(await mailTo(account.email, 'Confirm your email address'), '/verify-email');
      // Nothing the page loads or sends passes the token on: not the app's own script, not the call to Tollgate.
      const script = page.waitForRequest((r) => r.resourceType() === 'script');
      const verifying = page.waitForRequest((r) => r.postData()?.includes('VerifyEmail') ?? false);
      await page.goto(href);
      await page
        .getByRole('status')
        .filter({ hasText: `Your email address ${account.email} is verified.` })
        .waitFor();
      tokenGone(page);
      expect(await (await script).headerValue('referer')).toBeNull();
      expect(await (await verifying).headerValue('referer')).toBeNull();
      await shot(page, 'verify-email');
      await page.getByRole('link', { name: 'Continue to your profile' }).click();
      await profileOf(page, account.email);
      await verified(page, true).waitFor();

      // The same link again: used. Signed in, the page says the address is verified already.
      await page.goto(href);
      await alertWithCode(page, 'INVALID_TOKEN').waitFor();
      await page.getByText('is verified already').waitFor();
      await context.close();
    });

    it('a bogus link is refused by code; signed in and unverified, the page sends a new mail whose link works', async () => {
      const stranger = await tab(await device(), '/verify-email?token=not-a-token');
      await alertWithCode(stranger, 'INVALID_TOKEN').waitFor();
      tokenGone(stranger);
      await stranger.getByRole('link', { name: 'Sign in' }).waitFor();
      await shot(stranger, 'verify-email-invalid');
      await stranger.context().close();

      const context = await device();
      const page = await tab(context, '/sign-up');
      const account = await signUpInBrowser(page, stack().appUrl);
      const first = tokenIn(await mailTo(account.email, 'Confirm your email address'));
      await page.goto(`${stack().appUrl}/verify-email?token=${first.slice(0, -2)}`);
      await alertWithCode(page, 'INVALID_TOKEN').waitFor();
      await page.getByRole('button', { name: 'Resend verification mail' }).click();
      await page.getByRole('status').filter({ hasText: 'A new link is on its way' }).waitFor();
      const second = await stack().smtp.waitFor((m) => m.to === account.email && tokenIn(m) !== first);
      await page.goto(link(second, '/verify-email'));
      await page.getByRole('status').filter({ hasText: 'is verified' }).waitFor();
      await context.close();
    });

    it('resets a forgotten password from the mail: every session ends, the old password fails, the new one works', async () => {
      const { account } = await signUp(stack().api);
      // Signed in on a phone, forgotten on the laptop.
      const phone = await tab(await device(), '/sign-in');
      await signInInBrowser(phone, account.email, account.password);
      await profileOf(phone, account.email);

      const laptop = await device();
      const page = await tab(laptop, '/sign-in');
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      const ask = async (email: string) => {
        await page.getByLabel('Email').fill(email);
        await page.getByRole('button', { name: 'Send the link' }).click();
        const said = page.getByRole('status');
        await said.waitFor();
        return (await said.textContent())?.replace(email, '<email>');
      };
      // An address with no account gets the very same answer.
      const unknown = await ask(newAccount().email);
      await page.goto(`${stack().appUrl}/forgot-password`);
      const known = await ask(account.email);
      expect(known).toBe(unknown);
      await shot(page, 'forgot-password');

      const href = link(await mailTo(account.email, 'Reset your password'), '/reset-password');
      await page.goto(href);
      await page.getByLabel('New password').waitFor();
      tokenGone(page);
      await shot(page, 'reset-password');
      // A common password is refused by code, and the link still works after that.
      await page.getByLabel('New password').fill('password');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await alertWithCode(page, 'BAD_USER_INPUT').waitFor();
      const newPassword = `${account.password} renewed`;
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByRole('status').filter({ hasText: 'every session of your account has been signed out' }).waitFor();
      await mailTo(account.email, 'Your password was changed');

      // The phone's session ended with the reset: it is back at sign-in without a click.
      await phone.getByText('Your session has ended').waitFor();
      await signInForm(phone);

      await page.getByRole('link', { name: 'Sign in' }).click();
      await signInInBrowser(page, account.email, account.password);
      await alertWithCode(page, 'INVALID_CREDENTIALS').waitFor();
      await signInInBrowser(page, account.email, newPassword);
      await profileOf(page, account.email);
      // The link reached the mailbox: that verified the address too.
      await verified(page, true).waitFor();

      // The link works once.
      await page.goto(href);
      await page.getByLabel('New password').fill(`${newPassword} again`);
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await alertWithCode(page, 'INVALID_TOKEN').waitFor();
      await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
      await laptop.close();
      await phone.context().close();
    });

    it('changes the email from the profile: the link mailed to the new address moves the account', async () => {
      const context = await device();
      const page = await tab(context, '/sign-up');
      const account = await signUpInBrowser(page, stack().appUrl);
      const newEmail = newAccount().email;
      const form = page.getByRole('form', { name: 'Change email' });
      await form.getByLabel('New email').fill(newEmail);
      await form.getByLabel('Current password').fill(`${account.password} wrong`);
      await form.getByRole('button', { name: 'Send the confirmation link' }).click();
      await form.locator('[role=alert][data-code="INVALID_CREDENTIALS"]').waitFor();
      await form.getByLabel('Current password').fill(account.password);
      await form.getByRole('button', { name: 'Send the confirmation link' }).click();
      await form.getByRole('status').filter({ hasText: newEmail }).waitFor();
      await shot(page, 'change-email');

      await page.goto(link(await mailTo(newEmail, 'Confirm your new email address'), '/confirm-email-change'));
      await page
        .getByRole('status')
        .filter({ hasText: `Your account now uses ${newEmail}` })
        .waitFor();
      tokenGone(page);
      await mailTo(account.email, 'Your email address was changed');
      await page.getByRole('link', { name: 'Sign in' }).click();
      await signInInBrowser(page, newEmail, account.password);
      await profileOf(page, newEmail);
      await verified(page, true).waitFor();
      await context.close();
    });

    it('changes the password from the profile: this tab carries on, the other device is signed out and told by mail', async () => {
      const laptop = await device();
      const page = await tab(laptop, '/sign-up');
      const account = await signUpInBrowser(page, stack().appUrl);
      const phone = await tab(await device(), '/sign-in');
      await signInInBrowser(phone, account.email, account.password);
      await profileOf(phone, account.email);

      const form = page.getByRole('form', { name: 'Change password' });
      const newPassword = `${account.password} changed`;
      await form.getByLabel('Current password').fill(`${account.password} wrong`);
      await form.getByLabel('New password').fill(newPassword);
      await form.getByRole('button', { name: 'Change password' }).click();
      await form.getByText('Your current password is not right.').waitFor();
      await form.getByLabel('Current password').fill(account.password);
      await form.getByLabel('New password').fill(newPassword);
      await form.getByRole('button', { name: 'Change password' }).click();
      await form.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
      await mailTo(account.email, 'Your password was changed');
      await phone.getByText('Your session has ended').waitFor();

      // This tab holds the new session: its cookie renews after a reload, and the old password is gone.
      const refreshed = page.waitForResponse((r) => isRefresh(r.request().postData()));
      await page.reload();
      expect((await refreshed).status()).toBe(200);
      await profileOf(page, account.email);
      await signInInBrowser(phone, account.email, account.password);
      await alertWithCode(phone, 'INVALID_CREDENTIALS').waitFor();
      await signInInBrowser(phone, account.email, newPassword);
      await profileOf(phone, account.email);
      await laptop.close();
      await phone.context().close();
    });
  });
}
