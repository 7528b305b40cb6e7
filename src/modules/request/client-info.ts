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
 * The longest address text (an IPv4-mapped IPv6 address). A trusted proxy may pass on something that is no
 * address at all; it is kept as text, cut to this, so that no client can make a write that stores it fail.
 */
export const IP_MAX = 45;
export const storedIp = (client: ClientInfo) => client.ip?.slice(0, IP_MAX) ?? null;

/**
 * The key a rate limit counts an anonymous client under. An IPv6 host usually owns a whole /64,
 * so counting per address would let it rotate through 2^64 of them.
 */
export function rateLimitKeyForIp(address: string): string {
  return addressKeys(address)[0] as string;
}

/**
 * Every key a failure budget counts an address under: the address (IPv4) or its /64, and for IPv6 also
 * its /56 and /48, so that rotating through the /64s of one allocation buys nothing.
 */
export function addressKeys(address: string): string[] {
  if (!ipaddr.isValid(address)) return [`ip:${address}`];
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 counts as the IPv4 address it carries
  if (parsed.kind() === 'ipv4') return [`ip:${parsed.toString()}`];
  const bytes = parsed.toByteArray();
  return [64, 56, 48].map((bits) => `ip6:${prefixOf(bytes, bits)}/${bits}`);
}

function prefixOf(bytes: number[], bits: number): string {
  const kept = bytes.slice(0, bits / 8).concat(new Array<number>(16 - bits / 8).fill(0));
  return ipaddr.fromByteArray(kept).toString();
}
