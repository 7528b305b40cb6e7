import type { IncomingMessage, ServerResponse } from 'node:http';
import { forbidden } from '../errors.js';
import type { RefreshCookie } from '../modules/request/request-context.js';

/** A client asks for cookie mode by sending this header with register, login or refresh. */
export const TOKEN_DELIVERY_HEADER = 'x-token-delivery';
export const COOKIE_PATH = '/graphql';

/**
 * `__Host-` would demand Path=/; keeping the cookie to the GraphQL endpoint matters more, so the
 * secure cookie carries the `__Secure-` prefix instead. Plain-http development gets no prefix,
 * since browsers refuse prefixed cookies without Secure.
 */
export const refreshCookieName = (secure: boolean) => (secure ? '__Secure-tollgate_refresh' : 'tollgate_refresh');

export function serializeCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** Same origin as the API, a configured origin, or no Origin at all (not a browser's cross-site call). */
export function isTrustedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function refreshCookieFor(
  req: IncomingMessage,
  res: ServerResponse,
  options: { secure: boolean; corsOrigins: readonly string[] },
): RefreshCookie {
  const name = refreshCookieName(options.secure);
  const value = readCookie(req.headers.cookie, name);
  const trusted = isTrustedOrigin(req.headers.origin, req.headers.host, options.corsOrigins);
  return {
    requested: String(req.headers[TOKEN_DELIVERY_HEADER] ?? '').toLowerCase() === 'cookie',
    present: value !== null,
    read() {
      if (value && !trusted) {
        throw forbidden('This origin may not use the refresh cookie.');
      }
      return value;
    },
    set(token, expiresAt, now) {
      res.appendHeader('set-cookie', serializeCookie(name, token, (expiresAt.getTime() - now.getTime()) / 1000, options.secure));
    },
    clear() {
      res.appendHeader('set-cookie', serializeCookie(name, '', 0, options.secure));
    },
  };
}

/** Over a WebSocket there is no cookie to set or read. */
export const noRefreshCookie: RefreshCookie = {
  requested: false,
  present: false,
  read: () => null,
  set: () => undefined,
  clear: () => undefined,
};
