/** TEST DOUBLE of `k6/crypto` (see README.md): only `hmac`, on node:crypto. */
import { createHmac } from 'node:crypto';

const encodings: Record<string, BufferEncoding> = {
  hex: 'hex',
  base64: 'base64',
  base64url: 'base64url',
  base64rawurl: 'base64url',
};

export function hmac(
  algorithm: string,
  secret: string | ArrayBuffer,
  input: string | ArrayBuffer,
  outputEncoding: string,
): string {
  const key = typeof secret === 'string' ? secret : Buffer.from(secret);
  const data = typeof input === 'string' ? input : Buffer.from(input);
  const digest = createHmac(algorithm, key).update(data).digest();
  const encoding = encodings[outputEncoding];
  if (!encoding) throw new Error(`k6 shim: hmac output encoding ${outputEncoding} not implemented`);
  // k6's base64url keeps '=' padding, base64rawurl drops it (Node's base64url never pads).
  const text = digest.toString(encoding);
  return outputEncoding === 'base64url' ? text.padEnd(Math.ceil(text.length / 4) * 4, '=') : text;
}

export default { hmac };
