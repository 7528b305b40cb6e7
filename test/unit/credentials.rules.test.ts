import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalEmail,
  checkRegistration,
  normalizePassword,
  emailProblem,
  passwordProblem,
  usernameProblem,
} from '../../src/modules/auth/credentials.rules.js';
import { loadCommonPasswords } from '../../src/modules/auth/common-passwords.js';

const never = () => false;
const isCommon = loadCommonPasswords();

describe('canonicalEmail', () => {
  it('is idempotent and case-, space- and normalisation-blind', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const once = canonicalEmail(raw);
        expect(canonicalEmail(once)).toBe(once);
        expect(canonicalEmail(`  ${raw.toUpperCase()}\t`)).toBe(canonicalEmail(raw.toUpperCase()));
        expect(canonicalEmail(raw.normalize('NFD'))).toBe(canonicalEmail(raw.normalize('NFC')));
      }),
    );
  });
});

/** The full-width form of printable ASCII (U+FF01..U+FF5E), as a full-width keyboard types it. */
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const asciiAddress = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9._+-]{1,20}$/),
    fc.array(fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[A-Za-z]{2,6}$/),
  )
  .map(([local, labels, tld]) => `${local}@${[...labels, tld].join('.')}`);

describe('canonicalEmail: look-alike spellings of one mailbox', () => {
  it('maps full-width and upper-case spellings of an address to one form', () => {
    fc.assert(
      fc.property(asciiAddress, (address) => {
        const canonical = canonicalEmail(address);
        expect(canonicalEmail(fullWidth(address))).toBe(canonical);
        expect(canonicalEmail(fullWidth(address.toUpperCase()))).toBe(canonical);
        expect(canonical).toBe(address.toLowerCase());
      }),
    );
  });

  it('folds ligatures and compatibility forms in the local part, and puts the domain through IDNA', () => {
    expect(canonicalEmail('ﬁnance@corp.example')).toBe('finance@corp.example');
    expect(canonicalEmail('ＶＩＣＴＩＭ＠ＣＯＲＰ．ＥＸＡＭＰＬＥ')).toBe('victim@corp.example');
    expect(canonicalEmail('Jürgen@Bücher.DE')).toBe('jürgen@xn--bcher-kva.de');
    expect(canonicalEmail('a@xn--bcher-kva.de')).toBe(canonicalEmail('a@BÜCHER.de'));
    expect(emailProblem(canonicalEmail('jürgen@bücher.de'))).toBeNull();
  });

  it('is idempotent for any input, and leaves an IDNA-invalid domain for emailProblem to refuse', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        const once = canonicalEmail(raw);
        expect(canonicalEmail(once)).toBe(once);
      }),
    );
    expect(emailProblem(canonicalEmail('a@exa mple.com'))).not.toBeNull();
  });
});

describe('normalizePassword', () => {
  it('is NFKC: idempotent, and full-width typing equals the plain password', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (p) => {
        expect(normalizePassword(normalizePassword(p))).toBe(normalizePassword(p));
        expect(normalizePassword(p.normalize('NFD'))).toBe(normalizePassword(p));
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[!-~]{8,30}$/), (p) => {
        expect(normalizePassword(fullWidth(p))).toBe(p);
      }),
    );
  });
});

describe('emailProblem', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const local = fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[a-z0-9_-]{1,10}){0,2}$/);

  it('accepts well-formed addresses', () => {
    fc.assert(
      fc.property(local, fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/), (l, labels, tld) => {
        expect(emailProblem(`${l}@${[...labels, tld].join('.')}`)).toBeNull();
      }),
    );
  });

  it('refuses anything without exactly one usable @ or longer than 254 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const email = canonicalEmail(s);
        if (!email.includes('@') || email.length > 254 || /\s/.test(email)) expect(emailProblem(email)).not.toBeNull();
      }),
    );
  });
});

describe('usernameProblem', () => {
  it('accepts exactly 3-32 characters of a-z, 0-9 and _', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(usernameProblem(s) === null).toBe(/^[a-z0-9_]{3,32}$/.test(s));
      }),
    );
  });
});

describe('passwordProblem', () => {
  it('accepts 8 to 128 characters, counted as code points of the NFKC form, when not common', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (p) => {
        const length = [...p.normalize('NFKC')].length;
        expect(passwordProblem(p, never) === null).toBe(length >= 8 && length <= 128);
      }),
    );
  });

  it('refuses the most common passwords of at least 8 characters, in any case', () => {
    for (const p of ['password', '12345678', 'qwertyuiop', 'Sunshine1', 'FOOTBALL', 'iloveyou']) {
      expect(passwordProblem(p, isCommon)).toMatch(/common/);
    }
    expect(passwordProblem('violet kettle orbit 42', isCommon)).toBeNull();
  });
});

describe('checkRegistration', () => {
  it('reports the first bad field in the order email, username, password', () => {
    expect(() => checkRegistration({ email: 'bad', username: 'x', password: '1' }, never)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'email' }) }),
    );
    expect(() => checkRegistration({ email: 'a@b.io', username: 'x', password: '1' }, never)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: 'username' }) }),
    );
  });

  it('returns canonical values and the password untouched', () => {
    expect(checkRegistration({ email: ' A@B.io ', username: 'Bob_1', password: ' pass word ' }, never)).toEqual({
      email: 'a@b.io',
      username: 'bob_1',
      password: ' pass word ',
    });
  });
});
