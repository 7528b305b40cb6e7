import { clientSummary } from '../request/client-summary.js';

/** What each kind of mail says, as plain text and HTML. The link is the only secret a mail carries. */

export enum MailKind {
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  RESET_PASSWORD = 'RESET_PASSWORD',
  CONFIRM_EMAIL_CHANGE = 'CONFIRM_EMAIL_CHANGE',
  EMAIL_CHANGED = 'EMAIL_CHANGED',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  NEW_SIGN_IN = 'NEW_SIGN_IN',
  /** verify-first sign-up with an address that already has an account: its owner is told, nobody else learns it. */
  SIGN_UP_ATTEMPT = 'SIGN_UP_ATTEMPT',
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface MailData {
  link?: string;
  newEmail?: string;
  client?: { ip: string | null; userAgent: string | null };
  at?: Date;
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

interface Parts {
  subject: string;
  lines: string[];
  link?: { label: string; url: string; expires: string };
}

function parts(kind: MailKind, data: MailData): Parts {
  const link = (label: string, expires: string) => (data.link ? { label, url: data.link, expires } : undefined);
  const where = data.client
    ? `From ${clientSummary(data.client.userAgent)} at ${data.client.ip ?? 'an unknown address'}, ${data.at?.toISOString() ?? ''}.`
    : '';
  const notYou = 'If this was not you, reset your password now and review your sessions.';
  switch (kind) {
    case MailKind.VERIFY_EMAIL:
      return {
        subject: 'Confirm your email address',
        lines: [
          'Confirm that this address belongs to your Tollgate account.',
          'If you did not sign up, ignore this mail: nothing happens.',
        ],
        link: link('Confirm my address', 'This link works once, for 24 hours.'),
      };
    case MailKind.RESET_PASSWORD:
      return {
        subject: 'Reset your password',
        lines: [
          'Someone asked to reset the password of the Tollgate account with this address.',
          'If it was not you, ignore this mail.',
        ],
        link: link('Choose a new password', 'This link works once, for 30 minutes. Using it signs out every session.'),
      };
    case MailKind.CONFIRM_EMAIL_CHANGE:
      return {
        subject: 'Confirm your new email address',
        lines: ['Confirm that your Tollgate account should use this address from now on.'],
        link: link('Use this address', 'This link works once, for 24 hours. Using it signs out every session.'),
      };
    case MailKind.EMAIL_CHANGED:
      return {
        subject: 'Your email address was changed',
        lines: [
          `Your Tollgate account now uses ${data.newEmail ?? 'another address'}; mail no longer comes here.`,
          'If this was not you, use the link below: it puts this address back and signs everyone out. A password reset asked at this address also still reaches your account for 7 days.',
        ],
        link: link('Undo this change', 'This link works once, for 7 days.'),
      };
    case MailKind.PASSWORD_CHANGED:
      return {
        subject: 'Your password was changed',
        lines: ['The password of your Tollgate account was changed.', where, notYou],
      };
    case MailKind.SIGN_UP_ATTEMPT:
      return {
        subject: 'Someone tried to sign up with your address',
        lines: [
          'Someone tried to create a Tollgate account with this address, which already has one. No account was created and nothing changed.',
          'If it was you, sign in instead, or reset your password if you forgot it.',
          'If it was not you, you need not do anything.',
        ],
      };
    case MailKind.NEW_SIGN_IN:
      return {
        subject: 'New sign-in to your account',
        lines: ['Your Tollgate account was signed in to from a client it had not seen before.', where, notYou],
      };
  }
}

export function composeMail(kind: MailKind, data: MailData): MailContent {
  const { subject, lines, link } = parts(kind, data);
  const body = lines.filter(Boolean);
  const text = [...body, ...(link ? ['', `${link.label}: ${link.url}`, link.expires] : [])].join('\n');
  const html = [
    ...body.map((l) => `<p>${escapeHtml(l)}</p>`),
    ...(link
      ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`, `<p>${escapeHtml(link.expires)}</p>`]
      : []),
  ].join('\n');
  return { subject, text, html };
}
