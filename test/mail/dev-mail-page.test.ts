import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RequestPasswordResetDocument } from '../../src/client/generated/graphql.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

interface PageForm {
  query: string;
  fields: Record<string, string>;
  inputs: string[];
  button: string;
}

/** The page as a browser gets it: its forms (from the markup Tollgate writes), its script and its CSP. */
async function devMail(app: TestApp) {
  const res = await fetch(`${app.url}/dev/mail`);
  const html = await res.text();
  const forms: PageForm[] = [...html.matchAll(/<form data-query="([^"]*)">([\s\S]*?)<\/form>/g)].map(([, query, inner]) => ({
    query: unescapeHtml(query!),
    fields: Object.fromEntries(
      [...inner!.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map(([, n, v]) => [n!, unescapeHtml(v!)]),
    ),
    inputs: [...inner!.matchAll(/<input type="(?!hidden)\w+" name="(\w+)"/g)].map(([, n]) => n!),
    button: /<button>([^<]*)<\/button>/.exec(inner!)?.[1] ?? '',
  }));
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
  return { res, html, forms, script };
}

async function eventually<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
  let value: T | undefined | false;
  await expect
    .poll(
      async () => {
        value = await probe();
        return value;
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBeTruthy();
  return value as T;
}

/**
 * Submits one of the page's forms by running the page's own script, in a context that gives it what a
 * browser would: the form (with what the developer typed), FormData, and fetch against the page's origin.
 * Only the DOM is stood in for; the request goes to the real API.
 */
async function submit(app: TestApp, script: string, form: PageForm, typed: Record<string, string> = {}) {
  let onSubmit: ((event: { preventDefault(): void }) => Promise<void>) | undefined;
  const output = { textContent: '' };
  const element = {
    dataset: { query: form.query },
    values: { ...form.fields, ...typed },
    querySelector: (selector: string) => (selector === 'output' ? output : null),
    addEventListener: (type: string, listener: typeof onSubmit) => {
      if (type === 'submit') onSubmit = listener;
    },
  };
  runInNewContext(script, {
    document: { querySelectorAll: (selector: string) => (selector === 'form[data-query]' ? [element] : []) },
    FormData: class {
      constructor(readonly form: typeof element) {}
      *[Symbol.iterator]() {
        yield* Object.entries(this.form.values);
      }
    },
    fetch: (path: string, init: RequestInit) =>
      fetch(new URL(path, app.url), { ...init, headers: { ...(init.headers as object), origin: app.url } }),
    JSON,
    Object,
  });
  let prevented = false;
  await onSubmit?.({ preventDefault: () => (prevented = true) });
  expect(prevented).toBe(true);
  return output.textContent;
}

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ NODE_ENV: 'development' });
});

describe('GET /dev/mail in development', () => {
  it('runs only its own script, which may call this origin and nothing else', async () => {
    await signUp(app);
    const { res, script } = await devMail(app);
    const csp = res.headers.get('content-security-policy') ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
  });

  it('verifies an address from the page, without the SPA the link points at', async () => {
    const me = await signUp(app);
    const page = await eventually(async () => {
      const p = await devMail(app);
      return p.html.includes(me.account.email) && p;
    });
    // Newest first: the first verify form is this account's.
    const form = page.forms.find((f) => f.query.includes('verifyEmail'))!;
    expect(form.button).toBe('Verify this address here');
    expect(page.html).toContain(`verify-email?token=${form.fields.token}`);
    const answer = await submit(app, page.script, form);
    expect(answer).toMatch(/^Done: .*"emailVerified":true/);
    const after = await app.execute(MeDocument, {}, { token: me.accessToken });
    expect(after.data?.me.emailVerified).toBe(true);

    // A token works once: the page shows the API's refusal with its code.
    expect(await submit(app, page.script, form)).toMatch(/^[A-Z_]+: /);
  });

  it('resets a password from the page with the password the developer types', async () => {
    const me = await signUp(app);
    await app.execute(RequestPasswordResetDocument, { email: me.account.email });
    const page = await eventually(async () => {
      const p = await devMail(app);
      return p.forms.some((f) => f.query.includes('resetPassword')) && p;
    });
    const form = page.forms.find((f) => f.query.includes('resetPassword'))!;
    expect(form.inputs).toEqual(['newPassword']);
    const newPassword = `a brand new passphrase ${Date.now()}`;
    expect(await submit(app, page.script, form, { newPassword })).toBe('Done: {"resetPassword":true}');
    const login = await app.execute(LoginDocument, { input: { identifier: me.account.email, password: newPassword } });
    expect(login.errors).toBeUndefined();
  });
});
