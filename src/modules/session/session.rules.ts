/** Pure decisions about a presented refresh token, separate from the SQL that acts on them. */

export interface PresentedToken {
  rotatedAt: Date | null;
  expiresAt: Date;
}

export type RefreshDecision = 'rotate' | 'grace' | 'reuse' | 'expired';

/**
 * rotate: the live token, within its lifetime. grace: rotated moments ago (a second tab, or a retry
 * after a lost response), so answer with the chain's current token. reuse: rotated earlier than that,
 * so someone is replaying an old token. expired: idle for longer than its lifetime.
 */
export function decideRefresh(token: PresentedToken, now: Date, graceSeconds: number): RefreshDecision {
  if (token.rotatedAt) {
    const since = now.getTime() - token.rotatedAt.getTime();
    return since <= graceSeconds * 1000 && graceSeconds > 0 ? 'grace' : 'reuse';
  }
  return token.expiresAt.getTime() > now.getTime() ? 'rotate' : 'expired';
}
