/** TEST DOUBLE of `k6/encoding` (see README.md): only `b64encode`. */

export function b64encode(
  input: string | ArrayBuffer,
  encoding: 'std' | 'rawstd' | 'url' | 'rawurl' = 'std',
): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  const std = bytes.toString('base64');
  const unpadded = std.replace(/=+$/, '');
  switch (encoding) {
    case 'std':
      return std;
    case 'rawstd':
      return unpadded;
    case 'url':
      return std.replace(/\+/g, '-').replace(/\//g, '_');
    case 'rawurl':
      return unpadded.replace(/\+/g, '-').replace(/\//g, '_');
  }
}

export default { b64encode };
