/**
 * HTTP API of PROTOCOL.md section 9: dev token issuer, history with cursor pagination, health,
 * readiness, metrics, and the operator's dead-letter endpoints (admin token, see `adminSubject`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { idPattern, signToken, verifyToken } from '../auth/token.js';
import type { GatewayContext } from './context.js';
import { ConversationError, membersOf } from './members.js';

/** The `sub` of operator tokens (`capsim dlq` mints one with the shared secret); never issued by /v1/tokens. */
export const adminSubject = 'capsim-admin';

const maxHistoryPage = 200;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, 'E_FRAME_TOO_LARGE', `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'E_BAD_FRAME', 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'E_BAD_FRAME', 'body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function bearer(ctx: GatewayContext, request: IncomingMessage): string {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Bearer '))
    throw new HttpError(401, 'E_UNAUTHORIZED', 'Bearer token required');
  const check = verifyToken(header.slice(7), ctx.options.tokenSecret, ctx.clock.nowMs());
  if (!check.ok) throw new HttpError(401, 'E_UNAUTHORIZED', `token rejected (${check.reason})`);
  return check.payload.sub;
}

function integerParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new HttpError(400, 'E_BAD_FRAME', `"${name}" must be a positive integer`);
  return value;
}

export function createHttpHandler(
  ctx: GatewayContext,
  maintenance: { replayDeadLetters: (limit?: number) => Promise<{ replayed: number; remaining: number }> },
) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    void route(ctx, maintenance, request, response).catch((error: unknown) => {
      if (error instanceof HttpError)
        json(response, error.status, { error: { code: error.code, message: error.message } });
      else if (error instanceof ConversationError) {
        const status = error.code === 'E_CONVERSATION_NOT_FOUND' ? 404 : 400;
        json(response, status, { error: { code: error.code, message: error.message } });
      } else json(response, 503, { error: { code: 'E_UNAVAILABLE', message: 'storage unavailable' } });
    });
  };
}

async function route(
  ctx: GatewayContext,
  maintenance: { replayDeadLetters: (limit?: number) => Promise<{ replayed: number; remaining: number }> },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const method = request.method ?? 'GET';

  if (method === 'GET' && path === '/healthz') return json(response, 200, { status: 'ok' });
  if (method === 'GET' && path === '/readyz') return readiness(ctx, response);
  if (method === 'GET' && path === '/metrics') {
    const text = await ctx.metrics.registry.metrics();
    response.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
    response.end(text);
    return;
  }
  if (method === 'POST' && path === '/v1/tokens') {
    if (!ctx.options.devTokens) throw new HttpError(404, 'E_NOT_FOUND', 'dev token issuer is disabled');
    const body = await readJson(request, ctx.options.maxFrameBytes);
    const { userId, deviceId, ttlSeconds } = body;
    if (typeof userId !== 'string' || !idPattern.test(userId) || userId === adminSubject) {
      throw new HttpError(400, 'E_BAD_FRAME', '"userId" must be 1–64 characters of [A-Za-z0-9_.:-]');
    }
    if (deviceId !== undefined && (typeof deviceId !== 'string' || !idPattern.test(deviceId))) {
      throw new HttpError(400, 'E_BAD_FRAME', '"deviceId" must be 1–64 characters of [A-Za-z0-9_.:-]');
    }
    const ttl = ttlSeconds ?? 3600;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) {
      throw new HttpError(400, 'E_BAD_FRAME', '"ttlSeconds" must be an integer from 1 to 2592000');
    }
    const expiresAt = Math.floor(ctx.clock.nowMs() / 1000) + ttl;
    const token = signToken(
      { sub: userId, exp: expiresAt, ...(deviceId ? { dev: deviceId } : {}) },
      ctx.options.tokenSecret,
    );
    return json(response, 200, { token, expiresAt });
  }
  const history = /^\/v1\/conversations\/([^/]+)\/messages$/.exec(path);
  if (method === 'GET' && history !== null) {
    const userId = bearer(ctx, request);
    const conversationId = decodeURIComponent(history[1]);
    const members = await membersOf(ctx, conversationId);
    if (!members.includes(userId))
      throw new HttpError(403, 'E_NOT_MEMBER', `${userId} is not a member of ${conversationId}`);
    const limit = Math.min(integerParam(url, 'limit') ?? 50, maxHistoryPage);
    const beforeSeq = integerParam(url, 'beforeSeq') ?? null;
    const page = await ctx.storeBreaker.execute(() =>
      ctx.store.messagesBefore(conversationId, beforeSeq, limit),
    );
    const messages = page.map((m) => ({
      type: 'deliver',
      conversationId: m.conversationId,
      seq: m.seq,
      messageId: m.messageId,
      senderId: m.senderId,
      senderDeviceId: m.senderDeviceId,
      body: m.body,
      clientTs: m.clientTs,
      serverTs: m.serverTs,
    }));
    const last = page[page.length - 1];
    const nextBeforeSeq = page.length === limit && last !== undefined && last.seq > 1 ? last.seq : null;
    return json(response, 200, { messages, nextBeforeSeq });
  }
  if (path === '/v1/admin/dlq' || path === '/v1/admin/dlq/replay') {
    if (bearer(ctx, request) !== adminSubject)
      throw new HttpError(403, 'E_FORBIDDEN', 'operator token required');
    const limit = integerParam(url, 'limit') ?? 100;
    if (method === 'GET' && path === '/v1/admin/dlq') {
      const afterId = Number(url.searchParams.get('afterId') ?? 0) || 0;
      const entries = await ctx.store.listDeadLetters(afterId, Math.min(limit, 1000));
      return json(response, 200, { entries, total: await ctx.store.countDeadLetters() });
    }
    if (method === 'POST' && path === '/v1/admin/dlq/replay') {
      return json(response, 200, await maintenance.replayDeadLetters(limit));
    }
  }
  throw new HttpError(404, 'E_NOT_FOUND', `no route ${method} ${path}`);
}

async function readiness(ctx: GatewayContext, response: ServerResponse): Promise<void> {
  const reads = ctx.storeBreaker.state;
  const writes = ctx.storeWriteBreaker.state;
  const store = reads === 'open' || writes === 'open' ? 'open' : reads === 'closed' ? writes : reads;
  const bus = ctx.busBreaker.state;
  let storeOk = store !== 'open';
  if (storeOk)
    storeOk = await ctx.store.ping().then(
      () => true,
      () => false,
    );
  // The bus side is degraded when its breaker is not closed, the registry does not answer a ping
  // (a breaker only opens after 5 failed calls, which an idle instance may not make for a while), or
  // fan-outs are waiting for the registry (deferred-routes.ts).
  let busOk = bus !== 'open';
  if (busOk && ctx.registry.ping !== undefined)
    busOk = await ctx.registry.ping().then(
      () => true,
      () => false,
    );
  const deferredRoutes = ctx.delivery.deferred.size;
  const dependencies = {
    [ctx.dependencyNames.store]: { circuit: store, ok: storeOk },
    [ctx.dependencyNames.bus]: { circuit: bus, ok: busOk, ...(deferredRoutes > 0 ? { deferredRoutes } : {}) },
  };
  if (ctx.shuttingDown || !storeOk) {
    return json(response, 503, { status: ctx.shuttingDown ? 'shutting-down' : 'unavailable', dependencies });
  }
  const busHealthy = bus === 'closed' && busOk && deferredRoutes === 0;
  return json(response, 200, { status: busHealthy ? 'ready' : 'degraded', dependencies });
}
