import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newAccount } from '../helpers/test-app.js';
import { screenshotDir } from './stack.js';

/** What a person does in the example app, in Playwright terms. */

/**
 * Screenshots of the main screens, only when asked (`SCREENSHOTS=1 npm run test:e2e`): a plain run leaves
 * the tracked tree as it found it. Only screenshots/progress.png is committed (the README shows it).
 */
export const shot = async (page: Page, name: string) => {
  if (!process.env.SCREENSHOTS) return;
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), animations: 'disabled' });
};
export const profileOf = (page: Page, email: string) => page.getByTestId('email').filter({ hasText: email }).waitFor();
export const signInForm = (page: Page) => page.getByRole('heading', { name: 'Sign in' }).waitFor();
/** The app's silent refresh (@tollgate/client's), recognised by its operation name. */
export const isRefresh = (body: string | null) => body?.includes('TollgateRenew') ?? false;

export async function signUpInBrowser(page: Page, appUrl: string) {
  const account = newAccount();
  await page.goto(`${appUrl}/sign-up`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Username').fill(account.username ?? '');
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await profileOf(page, account.email);
  return account;
}

export async function signInInBrowser(page: Page, identifier: string, password: string) {
  await signInForm(page);
  await page.getByLabel('Email or username').fill(identifier);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The link a person clicks in a mail: the HTML part's anchor, unescaped, exactly as the mail client opens it. */
export function linkIn(mail: { html: string }): string {
  const href = /<a href="([^"]+)"/.exec(mail.html)?.[1];
  if (!href) throw new Error(`no link in: ${mail.html}`);
  return href.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '',
  );
}

/** An error the app shows, recognised by Tollgate's `extensions.code` (ErrorMessage puts it in `data-code`). */
export const alertWithCode = (page: Page, code: string) => page.locator(`[role=alert][data-code="${code}"]`);
