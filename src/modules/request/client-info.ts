import ipaddr from 'ipaddr.js';

/** Who is on the other end of a request, as the HTTP or WebSocket layer saw it. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** User agents are stored and logged cut to this many characters. */
export const USER_AGENT_MAX = 512;
export const storedUserAgent = (client: ClientInfo) => client.userAgent?.slice(0, USER_AGENT_MAX) ?? null;

/**
 * The key a rate limit counts an anonymous client under. An IPv6 host usually owns a whole /64,
 * so counting per address would let it rotate through 2^64 of them.
 */
export function rateLimitKeyForIp(address: string): string {
  if (!ipaddr.isValid(address)) return `ip:${address}`;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `ip6:${parts.join(':')}::/64`;
}
