import ipaddr from 'ipaddr.js';

/**
 * Whether a request's Host header names this machine: localhost, a 127.0.0.0/8 address or [::1], with any
 * port. Pages that must only ever be read by the developer at the keyboard (GET /dev/mail, with live links)
 * answer only these: under DNS rebinding a hostile page's own name resolves to 127.0.0.1, so the browser
 * sends that name as Host, and the connection's address alone cannot tell it from the developer.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  if (name.toLowerCase() === 'localhost') return true;
  if (!ipaddr.isValid(name)) return false;
  const addr = ipaddr.process(name);
  return addr.range() === 'loopback';
}
