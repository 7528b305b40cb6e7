import { badInput } from '../../errors.js';

/** The pure rules for what a valid email, username and password are. */

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const USERNAME = /^[a-z0-9_]{3,32}$/;
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** One address, one account: trimmed, NFC and lower case before it is stored or looked up. */
export const canonicalEmail = (raw: string) => raw.trim().normalize('NFC').toLowerCase();
export const canonicalUsername = (raw: string) => raw.trim().normalize('NFC').toLowerCase();
export const looksLikeEmail = (identifier: string) => identifier.includes('@');

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

/** Length counts characters (code points), not UTF-16 units; the password is judged exactly as given. */
export function passwordProblem(password: string, isCommon: (password: string) => boolean): string | null {
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
