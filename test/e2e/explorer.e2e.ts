import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExplorer } from '../../explorer/build.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let browser: Awaited<ReturnType<typeof chromium.launch>>;
beforeAll(async () => {
  await buildExplorer();
  app = await createTestApp({ NODE_ENV: 'development' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}, 240_000);
afterAll(async () => {
  await browser?.close();
});

describe('the offline explorer in a browser', () => {
  it('runs a query with nothing but the local server: every other address is cut off', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const elsewhere: string[] = [];
    // Offline as far as the page can tell: a request to any other origin fails (and is recorded).
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(app.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      elsewhere.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${app.url}/explorer`);
    await page.locator('.graphiql-container').waitFor();
    // The schema arrives by introspection: the Docs pane can show the root type.
    await page.getByRole('button', { name: /show documentation explorer/i }).click();
    await page.getByText('Query', { exact: true }).first().waitFor();
    const answered = page.waitForResponse(
      (r) => r.url() === `${app.url}/graphql` && (r.request().postData() ?? '').includes('Me'),
    );
    await page.getByRole('button', { name: /execute query/i }).click();
    expect((await answered).status()).toBe(200);
    // Nobody is signed in: Tollgate's answer, shown in the result pane, is refused by code.
    await page.locator('.graphiql-response').getByText('UNAUTHENTICATED').first().waitFor();
    expect(elsewhere).toEqual([]);
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await context.close();
  });
});
