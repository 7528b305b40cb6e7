/** An access token held in memory, with when to renew it measured on this device's own clock. */
export interface HeldToken {
  value: string;
  userId: string;
  /** The time (ms, on the local clock) after which the token should be renewed before use. */
  renewAt: number;
}

/**
 * The lifetime comes from the token's own iat/exp (both the server's clock) and is counted from when it
 * arrived here, so a device clock that is minutes off still renews on time. The token is not verified:
 * the server does that; the client only needs to know when to renew.
 */
export function holdToken(value: string, receivedAt: number): HeldToken {
  const claims = decodeClaims(value);
  const lifetimeMs = (claims.exp - claims.iat) * 1000;
  // Renew a minute before expiry (a fifth of the lifetime for short tokens): requests in flight still carry a live token.
  const margin = Math.min(60_000, lifetimeMs / 5);
  return { value, userId: claims.sub, renewAt: receivedAt + lifetimeMs - margin };
}

function decodeClaims(token: string): { sub: string; iat: number; exp: number } {
  const payload = token.split('.')[1];
  let claims: unknown;
  try {
    claims = JSON.parse(atob(base64(payload ?? '')));
  } catch {
    claims = null;
  }
  const c = claims as { sub?: unknown; iat?: unknown; exp?: unknown } | null;
  if (!c || typeof c.sub !== 'string' || typeof c.iat !== 'number' || typeof c.exp !== 'number' || c.exp <= c.iat)
    throw new TypeError('not a Tollgate access token (a JWT with sub, iat and exp)');
  return { sub: c.sub, iat: c.iat, exp: c.exp };
}

const base64 = (s: string) =>
  s
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(s.length / 4) * 4, '=');
