import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The ~49,000 most common passwords that zxcvbn-ts ships (ordered by frequency), held in memory.
 * The list is lower case, so the check is too: "Password1" is as guessable as "password1".
 */
export function loadCommonPasswords(): (password: string) => boolean {
  const list = (dictionary as Record<string, unknown>)['passwords-common'];
  if (!Array.isArray(list) || list.length < 10_000) {
    throw new Error('The common-password list from @zxcvbn-ts/language-common is missing or too short.');
  }
  const set = new Set<string>(list as string[]);
  return (password) => set.has(password.toLowerCase());
}
