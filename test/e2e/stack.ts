import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { startGitHubStub } from '../helpers/oauth-providers.js';
import { freePort } from '../helpers/redis.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

export const exampleDir = fileURLToPath(new URL('../../examples/spa/', import.meta.url));
export const screenshotDir = join(exampleDir, 'screenshots');

/** Limits the tests rely on: room for many sign-ups from one address, and a tiny budget to spend on purpose. */
export const RATE_LIMIT_STATUS_BUDGET = 3;
const rateLimits = {
  ...Object.fromEntries(
    [
      'Mutation.register',
      'Mutation.login',
      'Mutation.refresh',
      'Mutation.requestPasswordReset',
      'Mutation.verifyEmail',
      'Mutation.resetPassword',
      'Mutation.confirmEmailChange',
    ].map((f) => [f, { FREE: 100_000, PREMIUM: 100_000, ADMIN: 100_000 }]),
  ),
  'Query.rateLimitStatus': { FREE: RATE_LIMIT_STATUS_BUDGET },
};

export interface Stack {
  api: TestApp;
  /** GitHub's side of sign-in (Google is left unconfigured). */
  github: Awaited<ReturnType<typeof startGitHubStub>>;
  /** The SMTP server Tollgate sends its mail to; the links in it open `appUrl`. */
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  /** The example app, built for production and served by `vite preview`, on its own origin. */
  appUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Tollgate on a fresh Postgres database, the example app built against it and served from another origin
 * (so CORS, the credentialed cookie and the exposed headers are all exercised), and Debian's Chromium.
 */
export async function startStack(): Promise<Stack> {
  const vite = join(exampleDir, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) throw new Error('examples/spa has no dependencies: run `npm ci` in examples/spa first');
  const previewPort = await freePort();
  const appUrl = `http://127.0.0.1:${previewPort}`;
  const github = await startGitHubStub();
  const smtp = await startSmtpServer();
  const api = await createTestApp({
    ...github.env,
    OAUTH_REDIRECT_URIS: `${appUrl}/auth/callback/github,${appUrl}/auth/callback/google`,
    // Mail on, through a real SMTP server, with links to the app's pages as a team would configure them.
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Tollgate <no-reply@tollgate.test>',
    EMAIL_VERIFY_URL: `${appUrl}/verify-email?token={token}`,
    PASSWORD_RESET_URL: `${appUrl}/reset-password?token={token}`,
    EMAIL_CHANGE_URL: `${appUrl}/confirm-email-change?token={token}`,
    EMAIL_CHANGE_REVERT_URL: `${appUrl}/revert-email-change?token={token}`,
    CORS_ORIGINS: appUrl,
    // No grace window: two tabs sending one refresh token would end the session, so only true single-flight passes.
    REFRESH_GRACE_SECONDS: '0',
    RATE_LIMITS: JSON.stringify(rateLimits),
  });
  const outDir = mkdtempSync(join(tmpdir(), 'tollgate-spa-'));
  const children: ChildProcess[] = [];
  const run = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [vite, ...args], { cwd: exampleDir, env: { ...process.env, ...env }, stdio: 'pipe' });
    children.push(child);
    process.once('exit', () => child.kill('SIGKILL'));
    return child;
  };

  const cleanUp = async () => {
    await github.stop();
    await smtp.stop();
    for (const child of children) child.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  };
  try {
    await finished(
      run(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { VITE_TOLLGATE_URL: `${api.url}/graphql` }),
    );
    const preview = run(['preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(previewPort), '--strictPort']);
    await printed(preview, appUrl);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    return {
      api,
      github,
      smtp,
      appUrl,
      browser,
      async close() {
        await browser.close();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function finished(child: ChildProcess): Promise<void> {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (${code}):\n${output}`)))),
  );
}

/** Resolves once the process has printed `text` (vite preview prints its URL when it listens). */
function printed(child: ChildProcess, text: string): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d;
      // Colours split the URL (picocolors turns them on whenever CI is set): match the plain text.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is stripped here.
      if (output.replace(/\x1b\[[0-9;]*m/g, '').includes(text)) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (output += d));
    child.once('exit', (code) => reject(new Error(`vite preview exited (${code}):\n${output}`)));
  });
}
