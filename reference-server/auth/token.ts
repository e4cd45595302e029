/**
 * Signed tokens (PROTOCOL.md section 1): `base64url(payload) + "." + base64url(HMAC_SHA256(secret,
 * base64url(payload)))`, payload `{ sub, exp, dev? }` with `exp` in Unix seconds. Small enough for a load
 * generator or k6 script to mint itself with the shared secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenPayload {
  /** User id. */
  sub: string;
  /** Expiry, Unix seconds. */
  exp: number;
  /** Device id. */
  dev?: string;
}

export type TokenCheck =
  { ok: true; payload: TokenPayload } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** User and device ids: 1–64 characters from [A-Za-z0-9_.:-]. */
export const idPattern = /^[A-Za-z0-9_.:-]{1,64}$/;

function sign(encodedPayload: string, secret: string): string {
  return createHmac('sha256', secret).update(encodedPayload).digest('base64url');
}

export function signToken(payload: TokenPayload, secret: string): string {
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${encoded}.${sign(encoded, secret)}`;
}

/** Verifies signature, shape and expiry (`nowMs` from the server's clock). */
export function verifyToken(token: string, secret: string, nowMs: number): TokenCheck {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const encoded = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(encoded, secret), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof payload !== 'object' || payload === null) return { ok: false, reason: 'malformed' };
  const { sub, exp, dev } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !idPattern.test(sub)) return { ok: false, reason: 'malformed' };
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'malformed' };
  if (dev !== undefined && (typeof dev !== 'string' || !idPattern.test(dev))) {
    return { ok: false, reason: 'malformed' };
  }
  if (exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload: dev === undefined ? { sub, exp } : { sub, exp, dev } };
}
