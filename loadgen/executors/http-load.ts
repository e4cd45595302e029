/**
 * HTTP phases (login storms, history reads, health probes) driven by autocannon's programmatic API.
 * Every response time is also recorded into capsim's HDR histogram so HTTP latency merges into the
 * same results as WebSocket latency (autocannon's own summary rounds to whole milliseconds).
 */
import autocannon from 'autocannon';
import { LatencyHistogram } from '../metrics/latency-histogram.js';
import type { HttpPhaseResult } from '../outputs/result-schema.js';
import type { ProtocolAdapter } from '../protocol/adapter.js';
import { mintToken } from '../protocol/token.js';
import type { ResolvedHttpPhase } from '../resolve-load.js';

export interface HttpLoadContext {
  /** Base URL of the target, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  runId: string;
  tokenSecret: string;
  /** A conversation and one of its members, for history reads. */
  sampleConversation: { conversationId: string; userId: string } | null;
  adapter: ProtocolAdapter;
}

export function httpBaseUrl(target: string): string {
  const url = new URL(target);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}

export async function runHttpPhase(
  phase: ResolvedHttpPhase,
  context: HttpLoadContext,
): Promise<HttpPhaseResult> {
  const request = requestFor(phase, context);
  const histogram = new LatencyHistogram();
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: `${context.baseUrl}${request.path}`,
      method: request.method,
      headers: request.headers,
      body: request.body,
      connections: phase.connections,
      duration: Math.max(1, Math.round(phase.durationMs / 1000)),
      ...(phase.requestsPerSecond !== undefined ? { overallRate: phase.requestsPerSecond } : {}),
    },
    (error: unknown, result: autocannon.Result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => histogram.recordMs(responseTimeMs));
  const result = await done;
  const requests = result.requests.sent ?? result['2xx'] + result.non2xx;
  return {
    name: phase.name,
    endpoint: phase.endpoint,
    requests,
    errors: result.errors,
    non2xx: result.non2xx,
    requestsPerSecond: Math.round((histogram.count / Math.max(0.001, result.duration)) * 100) / 100,
    latency: histogram.summary(),
    histogram: histogram.encode(),
  };
}

function requestFor(
  phase: ResolvedHttpPhase,
  context: HttpLoadContext,
): { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string } {
  switch (phase.endpoint) {
    case 'tokens':
      return {
        method: 'POST',
        path: '/v1/tokens',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `${context.runId}-http`, ttlSeconds: 3600 }),
      };
    case 'history': {
      const sample = context.sampleConversation ?? { conversationId: 'dm:a:b', userId: 'a' };
      const token = mintToken(
        { sub: sample.userId, exp: Math.floor(Date.now() / 1000) + 6 * 3600 },
        context.tokenSecret,
      );
      return {
        method: 'GET',
        path: `/v1/conversations/${encodeURIComponent(sample.conversationId)}/messages?limit=50`,
        headers: { authorization: `Bearer ${token}` },
      };
    }
    default:
      return { method: 'GET', path: `/${phase.endpoint}` };
  }
}
