import { createHash } from 'node:crypto';
import { escapeHtml, MailKind } from './mail.templates.js';
import type { LoggedMail } from './mail.transport.js';

/**
 * GET /dev/mail (development only): the latest mail of this instance, newest first, with its links, and
 * for a mail carrying a token a form that spends it against this API's own /graphql. Mail links point
 * at the SPA (EMAIL_VERIFY_URL…), which a developer trying the API alone has not started. The form goes
 * through the same GraphQL gate as any client: the page grants nothing the token does not.
 */

/** The operation each mailed token is for, with the extra fields it asks for. */
const actions: Partial<Record<MailKind, { label: string; query: string; password?: true }>> = {
  [MailKind.VERIFY_EMAIL]: {
    label: 'Verify this address here',
    query: 'mutation DevMailVerifyEmail($token: String!) { verifyEmail(token: $token) { email emailVerified } }',
  },
  [MailKind.RESET_PASSWORD]: {
    label: 'Set this new password',
    query:
      'mutation DevMailResetPassword($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }',
    password: true,
  },
  [MailKind.CONFIRM_EMAIL_CHANGE]: {
    label: 'Confirm the new address here',
    query: 'mutation DevMailConfirmEmailChange($token: String!) { confirmEmailChange(token: $token) { email emailVerified } }',
  },
};

// Posts a form's fields as the variables of its data-query, same origin, and shows the answer beside it.
const script = `for (const form of document.querySelectorAll('form[data-query]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = form.querySelector('output');
    out.textContent = 'Sending…';
    try {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: form.dataset.query, variables: Object.fromEntries(new FormData(form)) }),
      });
      const { data, errors } = await res.json();
      out.textContent = errors
        ? errors.map((e) => (e.extensions && e.extensions.code ? e.extensions.code + ': ' : '') + e.message).join(' ')
        : 'Done: ' + JSON.stringify(data);
    } catch (error) {
      out.textContent = 'Failed: ' + error;
    }
  });
}`;

/** The page's one script runs by its hash; it may call this origin and nothing else, and forms post nowhere by themselves. */
export const devMailPageCsp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'; connect-src 'self'; form-action 'none'; base-uri 'none'`;

const tokenOf = (text: string): string | null => {
  for (const [url] of text.matchAll(/https?:\/\/[^\s<]+/g)) {
    const token = new URL(url).searchParams.get('token');
    if (token) return token;
  }
  return null;
};

function actionFor(mail: LoggedMail): string {
  const action = actions[mail.kind];
  const token = tokenOf(mail.text);
  if (!action || !token) return '';
  const password = action.password
    ? '<label>New password <input type="password" name="newPassword" required autocomplete="new-password"></label> '
    : '';
  return `<form data-query="${escapeHtml(action.query)}"><input type="hidden" name="token" value="${escapeHtml(token)}">${password}<button>${action.label}</button> <output></output></form>`;
}

export function devMailPage(mails: LoggedMail[]): string {
  const items = mails.map((m) => {
    const body = escapeHtml(m.text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
    return `<article><h2>${escapeHtml(m.subject)}</h2><p><small>${escapeHtml(m.at.toISOString())} · to ${escapeHtml(m.to)} · ${m.kind}</small></p><pre>${body}</pre>${actionFor(m)}</article>`;
  });
  return `<!doctype html><meta charset="utf-8"><title>Tollgate dev mail</title>
<style>body{font:15px system-ui;max-width:50rem;margin:2rem auto}article{border-bottom:1px solid #ddd;padding-bottom:1rem}pre{white-space:pre-wrap}output{display:block;margin-top:.5rem}</style>
<h1>Mail sent by this instance (development)</h1>
<p>The links lead to your app's pages (EMAIL_VERIFY_URL…). Without the app running, use the form under a mail: it sends the token to this API's /graphql.</p>
${items.join('\n') || '<p>No mail yet.</p>'}
<script>${script}</script>`;
}
