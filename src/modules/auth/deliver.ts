import type { RequestContext } from '../request/request-context.js';
import type { AuthPayload } from './auth.types.js';

/** In cookie mode the refresh token goes into an HttpOnly cookie, where page scripts cannot read it. */
export function deliver(ctx: RequestContext, payload: AuthPayload): AuthPayload {
  if (!ctx.refreshCookie.requested || payload.refreshToken === null) return payload;
  ctx.refreshCookie.set(payload.refreshToken, payload.refreshTokenExpiresAt, ctx.services.clock());
  return { ...payload, refreshToken: null };
}
