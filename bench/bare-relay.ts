/**
 * The bench's peer: a bare `ws` relay that authenticates a connection once (same token as the
 * reference server), then forwards each `send` frame to the other member of its `dm:` conversation as
 * is — no validation, rate limit, idempotency, sequence, storage, ACK or receipts. It holds the same
 * per-connection state the reference server needs at minimum (user → socket), so "RSS per idle
 * connection" and "messages per second" ratios isolate what the pipeline costs.
 *
 * Run as a child: `forkModule(resolveSiblingModule(import.meta.url, './bare-relay'), ['{"port":0}'])`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyToken } from '../reference-server/auth/token.js';

export interface BareRelay {
  wsUrl: string;
  connections: () => number;
  close(): Promise<void>;
}

export async function startBareRelay(
  options: { port?: number; host?: string; secret?: string } = {},
): Promise<BareRelay> {
  const secret = options.secret ?? 'capsim-dev-secret';
  const users = new Map<string, WebSocket>();
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  const http: Server = createServer((_request, response) => response.writeHead(404).end());
  http.on('upgrade', (request, socket, head) => {
    const token = new URL(request.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    const check = verifyToken(token, secret, Date.now());
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (!check.ok) return ws.close(4001);
      const userId = check.payload.sub;
      users.set(userId, ws);
      ws.on('close', () => {
        if (users.get(userId) === ws) users.delete(userId);
      });
      ws.on('error', () => undefined);
      ws.on('message', (data) => {
        const text = data.toString();
        const frame = JSON.parse(text) as { conversationId?: string };
        const [, a, b] = (frame.conversationId ?? '').split(':');
        users.get(a === userId ? b : a)?.send(text);
      });
      ws.send(JSON.stringify({ type: 'hello', userId }));
    });
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    wsUrl: `ws://${options.host ?? '127.0.0.1'}:${port}/v1/ws`,
    connections: () => users.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of users.values()) ws.terminate();
        http.close(() => resolve());
      }),
  };
}

if (process.send !== undefined && process.argv[2] !== undefined && process.argv[1]?.includes('bare-relay')) {
  const relay = await startBareRelay(JSON.parse(process.argv[2]) as { port?: number });
  process.send({ type: 'listening', wsUrl: relay.wsUrl });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: 'rss', rssBytes: process.memoryUsage.rss(), connections: relay.connections() });
    }
    if (message.type === 'close') void relay.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
}
