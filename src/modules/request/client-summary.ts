import Bowser from 'bowser';

/** The longest summary a mail quotes. */
export const CLIENT_SUMMARY_MAX = 60;

/**
 * Names bowser knows. Its fallback names an unknown browser after the User-Agent's first word ("CallNow/99"
 * becomes the browser "CallNow"), so a name is quoted only when it is one of these.
 */
const knownBrowsers = new Set(Object.values(Bowser.BROWSER_MAP));
const knownSystems = new Set(Object.values(Bowser.OS_MAP));
const known = (names: Set<string>, name: string | undefined) => (name && names.has(name) ? name : '');

/**
 * A person's short description of a client ("Firefox 140 on Linux") for security mail. The User-Agent is the
 * client's own text: quoted verbatim it let whoever signed in write a sentence (a phone number, a link) into
 * a mail Tollgate sends the owner. Parsed by bowser; only names on its lists and a major version survive.
 */
export function clientSummary(userAgent: string | null | undefined): string {
  if (!userAgent) return 'an unknown client';
  const parsed = Bowser.parse(userAgent.slice(0, 512));
  const browser = known(knownBrowsers, parsed.browser.name);
  const major = /^\d{1,4}/.exec(parsed.browser.version ?? '')?.[0] ?? '';
  const os = known(knownSystems, parsed.os.name);
  const name = browser ? `${browser}${major ? ` ${major}` : ''}` : 'an unknown client';
  return `${name} on ${os || 'an unknown system'}`.slice(0, CLIENT_SUMMARY_MAX);
}
