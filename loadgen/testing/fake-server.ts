/**
 * A small server speaking the reference protocol's core (hello, ping, group.create, send → ack →
 * deliver, an inbox kept until receipts cover it and replayed on connect) with deliberate faults, so tests can prove the checker catches
 * lost, duplicated and reordered deliveries. Not a reference: the real server is reference-server/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeServerFaults {
  /** Drop (ACK but never deliver) every Nth delivery. */
  dropEvery?: number;
  /** Deliver every Nth delivery twice. */
  duplicateEvery?: number;
  /** Hold every Nth delivery back and send it after the next one to the same socket. */
  reorderEvery?: number;
  /** Delay every ACK by this much (to emulate a slow durable write). */
  ackDelayMs?: number;
}

export interface FakeServer {
  wsUrl: string;
  url: string;
  port: number;
  stats: { sends: number; deliveries: number; connections: number; remoteAddresses: Set<string> };
  close(): Promise<void>;
}

interface Frame {
  type?: string;
  [key: string]: unknown;
}

export async function startFakeServer(
  options: FakeServerFaults & { host?: string; heartbeatMs?: number } = {},
): Promise<FakeServer> {
  const http: Server = createServer((request, response) => {
    if (request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(
        `# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${process.cpuUsage().user / 1e6}\nprocess_resident_memory_bytes ${process.memoryUsage().rss}\nnodejs_eventloop_lag_seconds 0.001\n`,
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
  });
  const wss = new WebSocketServer({ server: http, path: '/v1/ws' });
  const online = new Map<string, Set<WebSocket>>();
  const inbox = new Map<string, Frame[]>();
  const groups = new Map<string, string[]>();
  const seqs = new Map<string, number>();
  const acked = new Map<string, { seq: number; conversationId: string }>();
  const held = new Map<WebSocket, string>();
  const stats = { sends: 0, deliveries: 0, connections: 0, remoteAddresses: new Set<string>() };
  let deliveryCount = 0;

  const push = (socket: WebSocket, frame: Frame): void => {
    deliveryCount += 1;
    stats.deliveries += 1;
    const text = JSON.stringify(frame);
    if (options.dropEvery && deliveryCount % options.dropEvery === 0) return;
    if (options.reorderEvery && deliveryCount % options.reorderEvery === 0 && !held.has(socket)) {
      held.set(socket, text);
      return;
    }
    socket.send(text);
    if (options.duplicateEvery && deliveryCount % options.duplicateEvery === 0) socket.send(text);
    const late = held.get(socket);
    if (late !== undefined) {
      held.delete(socket);
      socket.send(late);
    }
  };

  const membersOf = (conversationId: string): string[] | undefined => {
    if (conversationId.startsWith('dm:')) return conversationId.slice(3).split(':');
    return groups.get(conversationId);
  };

  wss.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const token = url.searchParams.get('token') ?? '';
    const claims = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8') || '{}',
    ) as { sub?: string };
    const userId = claims.sub;
    if (!userId) {
      socket.close(4001, 'auth');
      return;
    }
    stats.connections += 1;
    stats.remoteAddresses.add(request.socket.remoteAddress ?? '');
    const sockets = online.get(userId) ?? new Set();
    sockets.add(socket);
    online.set(userId, sockets);
    socket.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        userId,
        serverTs: Date.now(),
        heartbeatMs: options.heartbeatMs ?? 30_000,
      }),
    );
    // Replay everything not yet covered by a receipt (PROTOCOL.md §5), in order.
    for (const frame of inbox.get(userId) ?? []) push(socket, { ...frame, redelivery: true });
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) online.delete(userId);
      held.delete(socket);
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'receipt') {
        const kept = (inbox.get(userId) ?? []).filter(
          (m) => m.conversationId !== frame.conversationId || Number(m.seq) > Number(frame.seq),
        );
        inbox.set(userId, kept);
      } else if (frame.type === 'ping')
        socket.send(JSON.stringify({ type: 'pong', ts: frame.ts, serverTs: Date.now() }));
      else if (frame.type === 'group.create') {
        const members = [...new Set([userId, ...(frame.members as string[])])];
        groups.set(String(frame.conversationId), members);
        socket.send(
          JSON.stringify({
            type: 'group.created',
            requestId: frame.requestId,
            conversationId: frame.conversationId,
            members,
          }),
        );
      } else if (frame.type === 'send') {
        stats.sends += 1;
        const conversationId = String(frame.conversationId);
        const members = membersOf(conversationId);
        if (!members || !members.includes(userId)) {
          socket.send(
            JSON.stringify({
              type: 'error',
              code: 'E_NOT_MEMBER',
              message: 'not a member',
              idempotencyKey: frame.idempotencyKey,
            }),
          );
          return;
        }
        const key = `${userId}/${String(frame.idempotencyKey)}`;
        const previous = acked.get(key);
        const seq = previous?.seq ?? (seqs.get(conversationId) ?? 0) + 1;
        if (!previous) {
          seqs.set(conversationId, seq);
          acked.set(key, { seq, conversationId });
        }
        const ack = () =>
          socket.send(
            JSON.stringify({
              type: 'ack',
              idempotencyKey: frame.idempotencyKey,
              conversationId,
              seq,
              messageId: `${conversationId}#${seq}`,
              serverTs: Date.now(),
              duplicate: previous !== undefined,
            }),
          );
        if (options.ackDelayMs) setTimeout(ack, options.ackDelayMs);
        else ack();
        if (previous) return;
        const deliver: Frame = {
          type: 'deliver',
          conversationId,
          seq,
          messageId: `${conversationId}#${seq}`,
          senderId: userId,
          body: frame.body,
          clientTs: frame.clientTs,
          serverTs: Date.now(),
        };
        for (const member of members) {
          if (member === userId) continue;
          // Kept until a receipt covers it, so a socket closing mid-delivery loses nothing.
          inbox.set(member, [...(inbox.get(member) ?? []), deliver]);
          for (const target of online.get(member) ?? []) push(target, deliver);
        }
      }
    });
  });

  await new Promise<void>((resolve) => http.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    wsUrl: `ws://${host}:${port}/v1/ws`,
    url: `http://${host}:${port}`,
    port,
    stats,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
