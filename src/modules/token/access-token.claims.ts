import { isTier, type Tier } from '../user/tier.js';
import { isUuid } from '../../ids.js';

/** What Tollgate trusts in an access token once jose has checked its signature, iss, aud, typ and time. */
export interface AccessClaims {
  sub: string;
  sid: string;
  tier: Tier;
  jti: string;
  iat: number;
  exp: number;
}

/** Returns the claims when every one Tollgate relies on is present and well-formed, else null. */
export function parseAccessClaims(payload: Record<string, unknown>): AccessClaims | null {
  const { sub, sid, tier, jti, iat, exp } = payload;
  if (typeof sub !== 'string' || !isUuid(sub)) return null;
  if (typeof sid !== 'string' || !isUuid(sid)) return null;
  if (!isTier(tier)) return null;
  if (typeof jti !== 'string' || jti.length < 16 || jti.length > 64) return null;
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) return null;
  if ((exp as number) <= (iat as number)) return null;
  return { sub, sid, tier, jti, iat: iat as number, exp: exp as number };
}

/** Parses `Authorization: Bearer <token>`; anything else is no token at all. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header?.trim() ?? '');
  return match?.[1] ?? null;
}
