/** Frames written as one buffer reach a real `ws` client whole, in order, at every length encoding. */
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeTextFrames } from './text-frames.js';

const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('encodeTextFrames', () => {
  it('7-, 16- and 64-bit lengths, empty and multi-byte UTF-8 texts, in one write', async () => {
    const texts = [
      '',
      'a',
      'x'.repeat(125),
      'y'.repeat(126),
      'é'.repeat(40), // 80 bytes in 40 characters: lengths are bytes
      'z'.repeat(65_535),
      'w'.repeat(65_536),
      `{"type":"deliver","body":"${'😀'.repeat(20_000)}"}`,
    ];
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (ws) => {
      (ws as unknown as { _socket: Socket })._socket.write(encodeTextFrames(texts));
    });
    const { port } = server.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false);
        received.push(data.toString());
        if (received.length === texts.length) resolve();
      });
      client.on('error', reject);
      client.on('close', (code) => reject(new Error(`closed ${code}`)));
    });
    client.terminate();
    expect(received).toEqual(texts);
  });
});
