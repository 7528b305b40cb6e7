/** An access token held in memory, with when to renew it measured on this browser's own clock. */
export interface HeldToken {
  value: string;
  userId: string;
  /** Date.now() after which the token should be renewed before use. */
  renewAt: number;
}

/**
 * The lifetime comes from the token's own iat/exp (both the server's clock) and is counted from when it
 * arrived here, so a browser clock that is minutes off still renews on time.
 */
export function holdToken(value: string, receivedAt = Date.now()): HeldToken {
  const claims = JSON.parse(atob(base64url(value.split('.')[1] ?? ''))) as { sub: string; iat: number; exp: number };
  const lifetimeMs = (claims.exp - claims.iat) * 1000;
  // Renew a minute before expiry (a fifth of the lifetime for short tokens): requests in flight still carry a live token.
  const margin = Math.min(60_000, lifetimeMs / 5);
  return { value, userId: claims.sub, renewAt: receivedAt + lifetimeMs - margin };
}

const base64url = (s: string) =>
  s
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(s.length / 4) * 4, '=');
