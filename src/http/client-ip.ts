import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';

export type TrustProxy = number | readonly string[] | false;

/**
 * The client's address. Forwarding headers are believed only as far as TRUST_PROXY says; with it
 * unset, X-Forwarded-For, X-Real-IP and Forwarded are ignored, so a client cannot pick its own address.
 */
export function clientIpResolver(trust: TrustProxy): (req: IncomingMessage) => string {
  if (trust === false) {
    // The peer address cannot change on a connection: normalised once per socket, not per request.
    const bySocket = new WeakMap<Socket, string>();
    return (req) => {
      let ip = bySocket.get(req.socket);
      if (ip === undefined) {
        ip = normalizeIp(req.socket.remoteAddress ?? '');
        bySocket.set(req.socket, ip);
      }
      return ip;
    };
  }
  const trustFn = typeof trust === 'number' ? (_addr: string, hop: number) => hop < trust : proxyaddr.compile([...trust]);
  return (req) => normalizeIp(proxyaddr(req, trustFn));
}

/** IPv4-mapped IPv6 becomes plain IPv4, so one client has one spelling. */
export function normalizeIp(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}
