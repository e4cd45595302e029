import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from './token.js';

describe('tokens', () => {
  const nowMs = 1_700_000_000_000;
  const exp = nowMs / 1000 + 60;

  it('round-trips a signed payload', () => {
    const token = signToken({ sub: 'u1', exp, dev: 'phone' }, 's3cret');
    expect(verifyToken(token, 's3cret', nowMs)).toEqual({
      ok: true,
      payload: { sub: 'u1', exp, dev: 'phone' },
    });
  });

  it('matches the documented format: base64url(payload).base64url(HMAC-SHA256)', async () => {
    const { createHmac } = await import('node:crypto');
    const encoded = Buffer.from(JSON.stringify({ sub: 'u1', exp })).toString('base64url');
    const manual = `${encoded}.${createHmac('sha256', 'k').update(encoded).digest('base64url')}`;
    expect(verifyToken(manual, 'k', nowMs).ok).toBe(true);
  });

  it('rejects another secret, tampering, expiry and malformed ids', () => {
    const token = signToken({ sub: 'u1', exp }, 'a');
    expect(verifyToken(token, 'b', nowMs)).toEqual({ ok: false, reason: 'bad-signature' });
    const [, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ sub: 'admin', exp })).toString('base64url')}.${signature}`;
    expect(verifyToken(forged, 'a', nowMs)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(token, 'a', exp * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken('garbage', 'a', nowMs)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(signToken({ sub: 'has space', exp }, 'a'), 'a', nowMs)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
