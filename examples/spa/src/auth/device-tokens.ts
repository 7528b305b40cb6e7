/**
 * Tollgate's device tokens: proof that this browser signed into an account before, so failed guesses by
 * others cannot lock it out of that account. Not a credential (it signs no one in), so unlike the tokens it
 * may live in localStorage. Kept per account under its email and username, the identifiers people type.
 */
const KEY = 'tollgate.deviceTokens';

const read = (): Record<string, string> => {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
};
const normalise = (identifier: string) => identifier.trim().toLowerCase();

export const deviceTokenFor = (identifier: string): string | null => read()[normalise(identifier)] ?? null;

export function keepDeviceToken(token: string | null | undefined, user: { email: string; username?: string | null }) {
  if (!token) return;
  const stored = read();
  for (const identifier of [user.email, user.username]) if (identifier) stored[normalise(identifier)] = token;
  localStorage.setItem(KEY, JSON.stringify(stored));
}
