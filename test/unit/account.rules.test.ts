import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownerProof, RECENT_SIGN_IN_SECONDS } from '../../src/modules/account/account.rules.js';
import {
  EmailTokenPurpose,
  emailTokenLifetimeSeconds,
  emailTokenUsable,
  hashEmailToken,
  newEmailToken,
} from '../../src/modules/email-token/email-token.rules.js';
import { afterFailure, linkFor, retryDelayMs } from '../../src/modules/mail/mail.rules.js';

const now = new Date('2026-11-23T12:00:00Z');

describe('ownerProof', () => {
  it('with a password: only the right current password proves ownership', () => {
    const base = { hasPassword: true, sessionOpenedAt: now, now };
    expect(ownerProof({ ...base, currentPassword: null, verdict: null })).toBe('password_required');
    expect(ownerProof({ ...base, currentPassword: '', verdict: null })).toBe('password_required');
    expect(ownerProof({ ...base, currentPassword: 'x', verdict: 'mismatch' })).toBe('wrong_password');
    expect(ownerProof({ ...base, currentPassword: 'x', verdict: 'match' })).toBe('ok');
    expect(ownerProof({ ...base, currentPassword: 'x', verdict: 'stale' })).toBe('ok');
  });

  it('without a password: a session opened within the last ten minutes, never a future one', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3600, max: 24 * 3600 }), (ageSeconds) => {
        const proof = ownerProof({
          hasPassword: false,
          currentPassword: 'ignored',
          verdict: null,
          sessionOpenedAt: new Date(now.getTime() - ageSeconds * 1000),
          now,
        });
        expect(proof).toBe(ageSeconds >= 0 && ageSeconds <= RECENT_SIGN_IN_SECONDS ? 'ok' : 'reauthenticate');
      }),
    );
  });
});

describe('email tokens', () => {
  it('are 256 random bits, URL-safe, and hashed per purpose', () => {
    const token = newEmailToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newEmailToken()).not.toBe(token);
    const hashes = Object.values(EmailTokenPurpose).map((p) => hashEmailToken(p, token));
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h) && !h.includes(token))).toBe(true);
  });

  it('last 24 hours for verification and email change, 30 minutes for a reset, 7 days for an undo', () => {
    expect(emailTokenLifetimeSeconds).toEqual({
      VERIFY_EMAIL: 86_400,
      CHANGE_EMAIL: 86_400,
      RESET_PASSWORD: 1800,
      REVERT_EMAIL_CHANGE: 7 * 86_400,
    });
  });

  it('are usable only before expiry, while the account keeps the address and generation they were issued under', () => {
    const purposes = [EmailTokenPurpose.VERIFY_EMAIL, EmailTokenPurpose.RESET_PASSWORD, EmailTokenPurpose.CHANGE_EMAIL];
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.boolean(),
        fc.nat({ max: 5 }),
        fc.nat({ max: 5 }),
        fc.constantFrom(...purposes),
        (offset, sameEmail, issuedUnder, current, purpose) => {
          const stored = {
            userId: 'u',
            purpose,
            email: 'a@example.com',
            newEmail: null,
            generation: issuedUnder,
            expiresAt: new Date(now.getTime() + offset),
          };
          const account = { email: sameEmail ? 'a@example.com' : 'b@example.com', generation: current };
          expect(emailTokenUsable(stored, now, account)).toBe(offset > 0 && sameEmail && issuedUnder === current);
        },
      ),
    );
    expect(emailTokenUsable(null, now, { email: 'a@example.com', generation: 0 })).toBe(false);
  });

  it('an undo link survives any bump and names an address the account no longer has, but not its expiry', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.nat({ max: 5 }), (offset, current) => {
        const undo = {
          userId: 'u',
          purpose: EmailTokenPurpose.REVERT_EMAIL_CHANGE,
          email: 'old@example.com',
          newEmail: 'new@example.com',
          generation: 0,
          expiresAt: new Date(now.getTime() + offset),
        };
        expect(emailTokenUsable(undo, now, { email: 'new@example.com', generation: current })).toBe(offset > 0);
      }),
    );
  });
});

describe('mail retries', () => {
  it('back off exponentially with jitter: between half and all of the step, capped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 600 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, base, r) => {
          const step = Math.min(6 * 3600, base * 2 ** (n - 1)) * 1000;
          const delay = retryDelayMs(n, base, r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(delay).toBeLessThanOrEqual(step);
          expect(retryDelayMs(n + 1, base, 1)).toBeGreaterThanOrEqual(retryDelayMs(n, base, 1));
        },
      ),
    );
  });

  it('stop at the limit', () => {
    const limits = { maxAttempts: 3, retryBaseSeconds: 10 };
    expect(afterFailure(1, limits, now, 0)).toEqual({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 5000) });
    expect(afterFailure(2, limits, now, 1)).toEqual({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 20_000) });
    expect(afterFailure(3, limits, now, 0.5)).toEqual({ status: 'dead' });
  });

  it('put the token, URL-encoded, where the template says', () => {
    expect(linkFor('https://app.example.com/verify?token={token}&x=1', 'a+b/c')).toBe(
      'https://app.example.com/verify?token=a%2Bb%2Fc&x=1',
    );
  });
});
