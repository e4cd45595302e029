/**
 * Mints reference-protocol tokens locally (PROTOCOL.md §1) with the shared dev secret, so a load test
 * does not turn into a login storm unless one is asked for:
 * `base64url(payload) + "." + base64url(HMAC_SHA256(secret, base64url(payload)))`.
 */
import { createHmac } from 'node:crypto';

export interface TokenClaims {
  sub: string;
  exp: number;
  dev?: string;
}

export function mintToken(claims: TokenClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  const signature = createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${signature}`;
}

/** Verifies and decodes a token (used by capsim's fake servers in tests); null when invalid. */
export function verifyToken(token: string, secret: string, nowMs = Date.now()): TokenClaims | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const expected = createHmac('sha256', secret).update(payload).digest('base64url');
  if (expected !== signature) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  return claims.exp * 1000 > nowMs ? claims : null;
}
