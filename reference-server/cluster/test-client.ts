/**
 * A minimal protocol-v1 client for cluster tests and benches: connects with a token it mints itself,
 * records every frame, and waits for frames matching a predicate.
 */
import WebSocket from 'ws';
import { signToken } from '../auth/token.js';
import { parseFrame } from '../test-support/parse-frame.js';

export { parseFrame };

export type Frame = Record<string, unknown> & { type: string };

export interface ClientOptions {
  wsUrl: string;
  userId: string;
  deviceId?: string;
  secret?: string;
  /** Source address for the TCP connection (several 127.x addresses multiply the ephemeral ports). */
  localAddress?: string;
}

export class TestClient {
  readonly frames: Frame[] = [];
  /**
   * Messages that were not a JSON object with a string `type` (e.g. an empty text frame). Recorded,
   * not thrown: a throw in the 'message' listener is an uncaught exception that no test owns; tests
   * assert this list is empty instead, with the offending text in the failure message.
   */
  readonly malformed: string[] = [];
  private waiters: {
    predicate: (frame: Frame) => boolean;
    resolve: (frame: Frame) => void;
    reject: (error: Error) => void;
  }[] = [];
  closeCode: number | undefined;

  private constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    readonly deviceId: string,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      const frame = parseFrame(text);
      if (frame === undefined) {
        this.malformed.push(text);
        return;
      }
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      // Nothing more will arrive: fail whoever still waits (e.g. sends cut off by a killed server).
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters)
        waiter.reject(new Error(`${this.userId}/${this.deviceId}: connection closed (${code})`));
    });
  }

  static async connect(options: ClientOptions): Promise<TestClient> {
    const deviceId = options.deviceId ?? 'd1';
    const token = signToken(
      { sub: options.userId, dev: deviceId, exp: Math.floor(Date.now() / 1000) + 3600 },
      options.secret ?? 'capsim-dev-secret',
    );
    const ws = new WebSocket(`${options.wsUrl}?token=${encodeURIComponent(token)}`, {
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
      perMessageDeflate: false,
    });
    const client = new TestClient(ws, options.userId, deviceId);
    const hello = client.waitFor((frame) => frame.type === 'hello');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) =>
        reject(new Error(`HTTP ${response.statusCode}`)),
      );
    });
    await hello;
    return client;
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) matching `predicate`. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const existing = this.frames.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    if (this.closeCode !== undefined)
      return Promise.reject(new Error(`${this.userId}/${this.deviceId}: connection closed`));
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.userId}/${this.deviceId}: no matching frame within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Sends a message and resolves with its ACK (or rejects with the error frame). */
  async sendMessage(conversationId: string, idempotencyKey: string, body: string): Promise<Frame> {
    const answer = this.waitFor(
      (frame) => (frame.type === 'ack' || frame.type === 'error') && frame.idempotencyKey === idempotencyKey,
    );
    this.send({ type: 'send', conversationId, idempotencyKey, body, clientTs: Date.now() });
    const frame = await answer;
    if (frame.type === 'error')
      throw new Error(`send ${idempotencyKey} rejected: ${String(frame.code)} ${String(frame.message)}`);
    return frame;
  }

  /**
   * Resolves once the server has answered a ping sent now: every frame it wrote to this connection
   * before reading the ping has arrived by then (one ordered TCP stream).
   */
  async roundTrip(): Promise<void> {
    const ts = Date.now() + Math.random();
    const pong = this.waitFor((frame) => frame.type === 'pong' && frame.ts === ts);
    this.send({ type: 'ping', ts });
    await pong;
  }

  /** `conversationId#seq` of every message delivered more than once on this connection. */
  duplicateDeliveries(): string[] {
    const seen = new Set<string>();
    const duplicates: string[] = [];
    for (const frame of this.frames) {
      if (frame.type !== 'deliver') continue;
      const id = `${String(frame.conversationId)}#${String(frame.seq)}`;
      if (seen.has(id)) duplicates.push(id);
      seen.add(id);
    }
    return duplicates;
  }

  /** `deliver` frames received, as `conversationId#seq` (de-duplicated like a real client). */
  deliveredIds(): Set<string> {
    return new Set(
      this.frames
        .filter((frame) => frame.type === 'deliver')
        .map((frame) => `${String(frame.conversationId)}#${String(frame.seq)}`),
    );
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(1000);
    await closed;
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export function dmId(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}
