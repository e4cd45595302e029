/**
 * TEST DOUBLE of `k6/http` (see README.md). k6's HTTP calls are synchronous; Node's are not, so each
 * request runs in a short-lived child Node process (fetch) and this call blocks on it. Slow (tens of
 * ms), which is fine: the script only uses HTTP in setup() and for `CAPSIM_TOKEN_MODE=http`.
 */
import { execFileSync } from 'node:child_process';

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface ShimResponse {
  status: number;
  body: string;
  json(): unknown;
}

const child = `
const [method, url, headers, body] = JSON.parse(process.argv[1]);
fetch(url, { method, headers, body: body ?? undefined })
  .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
  .catch((e) => process.stdout.write(JSON.stringify({ status: 0, body: String(e) })));
`;

function request(method: string, url: string, body: string | null, params: Params = {}): ShimResponse {
  const output = execFileSync(
    process.execPath,
    ['-e', child, JSON.stringify([method, url, params.headers ?? {}, body])],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  const parsed = JSON.parse(output) as { status: number; body: string };
  return { status: parsed.status, body: parsed.body, json: () => JSON.parse(parsed.body) as unknown };
}

export function get(url: string, params?: Params): ShimResponse {
  return request('GET', url, null, params);
}

export function post(url: string, body?: string | null, params?: Params): ShimResponse {
  return request('POST', url, body ?? null, params);
}

export default { get, post };
