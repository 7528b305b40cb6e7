import { domainToASCII } from 'node:url';
import { badInput } from '../../errors.js';

/** The pure rules for what a valid email, username and password are. */

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const USERNAME = /^[a-z0-9_]{3,32}$/;
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** NFKC and lower case, repeated until stable: lower-casing can leave a string NFKC would change again. */
function fold(text: string): string {
  let current = text;
  for (let i = 0; i < 4; i++) {
    const next = current.normalize('NFKC').toLowerCase();
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * One mailbox, one account, however it is typed: the local part NFKC and lower case (full-width
 * letters and ligatures such as "ﬁ" fold to their plain spelling), the domain through IDNA
 * (UTS #46, by the URL standard's domainToASCII: case, full-width forms and Unicode labels map to one
 * ASCII form). A domain IDNA refuses is kept folded, for emailProblem to refuse.
 */
export function canonicalEmail(raw: string): string {
  const folded = fold(raw.trim());
  const at = folded.lastIndexOf('@');
  if (at < 0) return folded;
  const domain = folded.slice(at + 1);
  const ascii = domain === '' ? '' : domainToASCII(domain);
  return `${folded.slice(0, at)}@${ascii === '' ? domain : ascii}`;
}

/**
 * Passwords are compared in NFKC (NIST SP 800-63B 5.1.1.2): a password typed with a full-width
 * keyboard, or pasted with a ligature, is the same password.
 */
export const normalizePassword = (password: string) => password.normalize('NFKC');
export const canonicalUsername = (raw: string) => raw.trim().normalize('NFC').toLowerCase();
// NFKC first: a full-width "＠" is an at sign too.
export const looksLikeEmail = (identifier: string) => identifier.normalize('NFKC').includes('@');

/** Returns why a canonical email is unacceptable, or null. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'Email is required.';
  if (email.length > EMAIL_MAX) return `Email must be at most ${EMAIL_MAX} characters.`;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  const valid =
    at > 0 &&
    local.length <= 64 &&
    LOCAL_PART.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => DOMAIN_LABEL.test(l)) &&
    !/^\d+$/.test(labels.at(-1) ?? '');
  return valid ? null : 'Email is not a valid address.';
}

export function usernameProblem(username: string): string | null {
  return USERNAME.test(username) ? null : 'Username must be 3 to 32 characters of letters a-z, digits and underscores.';
}

/** Length counts characters (code points), not UTF-16 units, of the normalised password that is hashed. */
export function passwordProblem(raw: string, isCommon: (password: string) => boolean): string | null {
  const password = normalizePassword(raw);
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Password must be at most ${PASSWORD_MAX} characters.`;
  if (isCommon(password)) return 'Password is too common; choose one that is harder to guess.';
  return null;
}

export interface RegistrationInput {
  email: string;
  password: string;
  username?: string | null;
}

/** Canonicalises and checks a registration, throwing BAD_USER_INPUT that names the first bad field. */
export function checkRegistration(input: RegistrationInput, isCommon: (password: string) => boolean) {
  const email = canonicalEmail(input.email);
  const username = input.username == null ? null : canonicalUsername(input.username);
  const problems: [string, string | null][] = [
    ['email', emailProblem(email)],
    ['username', username === null ? null : usernameProblem(username)],
    ['password', passwordProblem(input.password, isCommon)],
  ];
  for (const [field, problem] of problems) if (problem) throw badInput(field, problem);
  return { email, username, password: input.password };
}
