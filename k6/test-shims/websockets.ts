/**
 * TEST DOUBLE of `k6/websockets` (see README.md) on the `ws` package: the browser-like API k6 exposes
 * (on* handlers and addEventListener, send/close/ping, readyState). Open sockets keep the simulated
 * event loop alive, as in k6.
 */
import WS from 'ws';
import { runCallback, shimState } from './state.js';

interface MessageEvent {
  data: string | ArrayBuffer;
  type: string;
  timestamp: number;
}
interface ErrorEvent {
  type: string;
  error: string;
  timestamp: number;
}
type Listener = (event: MessageEvent | ErrorEvent) => void;

export class WebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  onmessage: ((event?: MessageEvent) => void) | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((event?: ErrorEvent) => void) | null = null;
  onping: (() => void) | null = null;
  onpong: (() => void) | null = null;
  private readonly socket: WS;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(url: string, _protocols?: null, params?: { headers?: Record<string, string> } | null) {
    this.url = url;
    const state = shimState();
    this.socket = new WS(url, { headers: params?.headers });
    state.sockets.add(this);
    this.socket.on('open', () => {
      runCallback(() => this.onopen?.());
      this.emit('open', { data: '', type: 'open', timestamp: Date.now() });
    });
    this.socket.on('message', (data: WS.RawData, isBinary: boolean) => {
      const event: MessageEvent = {
        data: isBinary ? new Uint8Array(data as Buffer).buffer : data.toString(),
        type: 'message',
        timestamp: Date.now(),
      };
      runCallback(() => this.onmessage?.(event));
      this.emit('message', event);
    });
    this.socket.on('ping', () => runCallback(() => this.onping?.()));
    this.socket.on('pong', () => runCallback(() => this.onpong?.()));
    this.socket.on('error', (error: Error) => {
      const event: ErrorEvent = { type: 'error', error: error.message, timestamp: Date.now() };
      runCallback(() => this.onerror?.(event));
      this.emit('error', event);
    });
    this.socket.on('close', () => {
      state.sockets.delete(this);
      runCallback(() => this.onclose?.());
      this.emit('close', { data: '', type: 'close', timestamp: Date.now() });
    });
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(data: string | ArrayBuffer): void {
    // k6 reports sending on a socket that is not open as an error; the script must not do it.
    if (this.socket.readyState !== WS.OPEN) {
      shimState().callbackErrors.push(
        new Error(`k6 shim: send on a socket in state ${this.socket.readyState}`),
      );
      return;
    }
    this.socket.send(data);
  }

  close(code?: number, reason?: string): void {
    if (this.socket.readyState === WS.CONNECTING) this.socket.terminate();
    else this.socket.close(code, reason);
  }

  ping(): void {
    if (this.socket.readyState === WS.OPEN) this.socket.ping();
  }

  addEventListener(event: string, listener: Listener): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
  }

  private emit(event: string, payload: MessageEvent | ErrorEvent): void {
    for (const listener of this.listeners.get(event) ?? []) runCallback(() => listener(payload));
  }
}
