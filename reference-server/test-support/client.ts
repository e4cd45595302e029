/**
 * A small protocol client for tests and the bench: connects with a token, records every frame, and
 * waits for frames matching a predicate.
 */
import WebSocket from 'ws';
import { signToken } from '../auth/token.js';
import { parseFrame } from './parse-frame.js';

export type Frame = Record<string, unknown> & { type: string };

export interface ClientOptions {
  secret?: string;
  deviceId?: string;
  /** Token expiry, Unix seconds (default: one hour from now). */
  exp?: number;
  localAddress?: string;
}

export class TestClient {
  readonly frames: Frame[] = [];
  /** Messages that were not a JSON object with a string `type`: recorded for assertions, not thrown. */
  readonly malformed: string[] = [];
  closeCode: number | undefined;
  private waiters: { predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      const frame = parseFrame(text);
      if (frame === undefined) {
        this.malformed.push(text);
        return;
      }
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => undefined);
  }

  static async connect(wsUrl: string, userId: string, options: ClientOptions = {}): Promise<TestClient> {
    const token = signToken(
      {
        sub: userId,
        exp: options.exp ?? Math.floor(Date.now() / 1000) + 3600,
        ...(options.deviceId ? { dev: options.deviceId } : {}),
      },
      options.secret ?? 'capsim-dev-secret',
    );
    return TestClient.connectWithToken(wsUrl, token, options.localAddress);
  }

  static async connectWithToken(wsUrl: string, token: string, localAddress?: string): Promise<TestClient> {
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`, {
      perMessageDeflate: false,
      ...(localAddress ? { localAddress } : {}),
    });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects and waits for `hello`. */
  static async open(wsUrl: string, userId: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(wsUrl, userId, options);
    await client.waitFor((f) => f.type === 'hello');
    return client;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the first frame (already received or future) matching the predicate. */
  waitFor(predicate: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Waits for a frame of `type` (optionally with matching fields) received after the call. */
  next(type: string, fields: Record<string, unknown> = {}, timeoutMs = 5_000): Promise<Frame> {
    const start = this.frames.length;
    const matches = (f: Frame) => f.type === type && Object.entries(fields).every(([k, v]) => f[k] === v);
    const seen = this.frames.slice(start).find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.waitFor((f) => this.frames.indexOf(f) >= start && matches(f), timeoutMs);
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}
