/** Every error code and close code of PROTOCOL.md section 8, each provoked for real. */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendItem, RateLimiter } from '../contracts.js';
import { SqliteMessageStore } from '../embedded/sqlite-store.js';
import { TestClient } from '../test-support/client.js';
import { startTestServer, tempDataDir, type TestServer } from '../test-support/server.js';
import type { ServerOptions } from '../options.js';
import type { ServerAdapters } from '../contracts.js';

const servers: TestServer[] = [];
const clients: TestClient[] = [];

async function serve(options: ServerOptions = {}, adapters: ServerAdapters = {}): Promise<TestServer> {
  const server = await startTestServer(options, adapters);
  servers.push(server);
  return server;
}
async function open(server: TestServer, userId: string): Promise<TestClient> {
  const client = await TestClient.open(server.wsUrl, userId);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const server of servers.splice(0)) await server.dispose();
});

describe('error frames', () => {
  it('E_BAD_FRAME, E_UNKNOWN_TYPE, E_BODY_TOO_LARGE, E_NOT_MEMBER, E_CONVERSATION_NOT_FOUND keep the connection open', async () => {
    const server = await serve({ maxBodyBytes: 10 });
    const alice = await open(server, 'alice');
    const expectError = async (frame: string, code: string, extra: Record<string, unknown> = {}) => {
      alice.sendRaw(frame);
      expect(await alice.next('error', { code })).toMatchObject(extra);
    };
    await expectError('not json', 'E_BAD_FRAME');
    await expectError('{"no":"type"}', 'E_BAD_FRAME');
    await expectError('{"type":"send","idempotencyKey":"k","body":"x"}', 'E_BAD_FRAME', {
      idempotencyKey: 'k',
    });
    await expectError('{"type":"receipt","conversationId":"dm:a:b","seq":0,"status":"read"}', 'E_BAD_FRAME');
    await expectError(
      '{"type":"receipt","conversationId":"dm:alice:bob","seq":7,"status":"read"}',
      'E_BAD_FRAME',
    );
    await expectError('{"type":"teleport","requestId":"r9"}', 'E_UNKNOWN_TYPE', { requestId: 'r9' });
    const send = (conversationId: string, body: string, key: string) =>
      JSON.stringify({ type: 'send', conversationId, idempotencyKey: key, body });
    await expectError(send('dm:alice:bob', 'x'.repeat(11), 'big'), 'E_BODY_TOO_LARGE', {
      idempotencyKey: 'big',
    });
    await expectError(send('dm:bob:carol', 'x', 'nm'), 'E_NOT_MEMBER', { idempotencyKey: 'nm' });
    await expectError(send('g:missing', 'x', 'nf'), 'E_CONVERSATION_NOT_FOUND', { idempotencyKey: 'nf' });
    await expectError(send('dm:bob:alice', 'x', 'unsorted'), 'E_BAD_FRAME');
    alice.send({ type: 'ping', ts: 1 });
    await alice.next('pong');
  });

  it('E_CONFLICT and E_GROUP_TOO_LARGE on group.create', async () => {
    const server = await serve({ maxGroupSize: 3 });
    const alice = await open(server, 'alice');
    alice.send({ type: 'group.create', requestId: 'a', conversationId: 'g:x', members: ['bob'] });
    await alice.next('group.created', { requestId: 'a' });
    alice.send({ type: 'group.create', requestId: 'b', conversationId: 'g:x', members: ['carol'] });
    expect(await alice.next('error', { requestId: 'b' })).toMatchObject({ code: 'E_CONFLICT' });
    alice.send({ type: 'group.create', requestId: 'c', members: ['b1', 'b2', 'b3'] });
    expect(await alice.next('error', { requestId: 'c' })).toMatchObject({ code: 'E_GROUP_TOO_LARGE' });
  });

  it('E_RATE_LIMITED past the per-user sliding window, with retryAfterMs', async () => {
    const server = await serve({ sendRateLimit: 3 });
    const alice = await open(server, 'alice');
    for (const key of ['1', '2', '3', '4'])
      alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: key, body: 'x' });
    const error = await alice.next('error', { code: 'E_RATE_LIMITED' });
    expect(error.idempotencyKey).toBe('4');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    await alice.waitFor((f) => f.type === 'ack' && f.idempotencyKey === '3');
    expect(alice.ofType('ack')).toHaveLength(3);
  });

  it('E_OVERLOADED when the write buffer is full', async () => {
    const server = await serve({ writeBuffer: { maxPending: 1, maxMessages: 100, maxDelayMs: 300 } });
    const alice = await open(server, 'alice');
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'a', body: 'x' });
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'b', body: 'x' });
    expect(await alice.next('error', { code: 'E_OVERLOADED' })).toMatchObject({ idempotencyKey: 'b' });
    expect(await alice.next('ack', { idempotencyKey: 'a' })).toMatchObject({ seq: 1 });
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'b', body: 'x' });
    expect(await alice.next('ack', { idempotencyKey: 'b' })).toMatchObject({ seq: 2 });
  });

  it('E_UNAVAILABLE when storage fails: nothing ACKed, no seq gap afterwards, /readyz 503 once the breaker opens', async () => {
    const storeDir = tempDataDir();
    const store = new SqliteMessageStore({ dataDir: storeDir, synchronous: 'normal', writer: 'inline' });
    await store.init();
    let failing = false;
    const appendBatch = store.appendBatch.bind(store);
    store.appendBatch = async (items: readonly AppendItem[]) => {
      if (failing) throw new Error('disk on fire');
      return appendBatch(items);
    };
    const server = await serve({}, { store });
    const alice = await open(server, 'alice');
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'ok1', body: 'x' });
    expect(await alice.next('ack', { idempotencyKey: 'ok1' })).toMatchObject({ seq: 1 });
    failing = true;
    for (let i = 0; i < 5; i += 1) {
      alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: `f${i}`, body: 'x' });
      expect(await alice.next('error', { idempotencyKey: `f${i}` })).toMatchObject({ code: 'E_UNAVAILABLE' });
    }
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(alice.ofType('ack')).toHaveLength(1);
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // breaker half-opens after 2 s
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'f0', body: 'x' });
    expect(await alice.next('ack', { idempotencyKey: 'f0' })).toMatchObject({ seq: 2, duplicate: false });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await store.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('E_INTERNAL when an adapter throws unexpectedly; the connection stays usable', async () => {
    const rateLimiter: RateLimiter = {
      consume: (key) => {
        if (key.startsWith('send:')) throw new Error('bug');
        return Promise.resolve({ allowed: true, retryAfterMs: 0 });
      },
      close: async () => undefined,
    };
    const server = await serve({}, { rateLimiter });
    const alice = await open(server, 'alice');
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'k', body: 'x' });
    expect(await alice.next('error')).toMatchObject({ code: 'E_INTERNAL' });
    alice.send({ type: 'ping', ts: 1 });
    await alice.next('pong');
  });
});

describe('close codes', () => {
  it('4001 bad signature, 4003 expired token', async () => {
    const server = await serve();
    const forged = await TestClient.connect(server.wsUrl, 'alice', { secret: 'wrong' });
    expect(await forged.closed).toBe(4001);
    const expired = await TestClient.connect(server.wsUrl, 'alice', {
      exp: Math.floor(Date.now() / 1000) - 10,
    });
    expect(await expired.closed).toBe(4003);
  });

  it('4002 after 2 × heartbeatMs of silence', async () => {
    const server = await serve({ heartbeatMs: 100 });
    const alice = await TestClient.open(server.wsUrl, 'alice');
    expect(alice.frames[0]).toMatchObject({ heartbeatMs: 100 });
    expect(await alice.closed).toBe(4002);
  });

  it('4008 with E_FRAME_TOO_LARGE for a frame over maxFrameBytes', async () => {
    const server = await serve({ maxFrameBytes: 1024 });
    const alice = await open(server, 'alice');
    alice.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2000) }));
    expect(await alice.next('error')).toMatchObject({ code: 'E_FRAME_TOO_LARGE' });
    expect(await alice.closed).toBe(4008);
  });

  it('4029 beyond maxConnections and beyond the per-IP connection rate', async () => {
    const capped = await serve({ maxConnections: 2 });
    await open(capped, 'a');
    await open(capped, 'b');
    const third = await TestClient.connect(capped.wsUrl, 'c');
    expect(await third.closed).toBe(4029);

    const rated = await serve({ connectRateLimit: 2 });
    await open(rated, 'a');
    await open(rated, 'b');
    const tooFast = await TestClient.connect(rated.wsUrl, 'c');
    expect(await tooFast.closed).toBe(4029);
  });
});
