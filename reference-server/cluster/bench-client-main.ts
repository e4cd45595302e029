/**
 * A connection-holding client process for `runClusterBench` (bench-cluster.ts): opens `count` idle,
 * authenticated WebSocket connections from one source address, spread round-robin over the cluster's
 * instances, keeps them alive with WebSocket pings, and reports over IPC. One process holds at most
 * ~19,000 sockets (the open-files limit is 20,000) and one source address gives ~28,000 ephemeral ports.
 */
import WebSocket from 'ws';
import { signToken } from '../auth/token.js';

export interface BenchClientStart {
  type: 'open';
  wsUrls: string[];
  count: number;
  localAddress: string;
  userPrefix: string;
  /** Connection attempts in flight at once. */
  concurrency: number;
  /** WebSocket ping interval (the server closes connections silent for 2 × its heartbeat). */
  pingMs: number;
  secret: string;
}

export type BenchClientCommand = BenchClientStart | { type: 'status' } | { type: 'close' };

export type BenchClientReport =
  | { type: 'progress'; open: number; failed: number }
  | { type: 'opened'; open: number; failed: number; durationMs: number; firstError?: string }
  | {
      type: 'status';
      open: number;
      closedUnexpectedly: number;
      dropCodes: Record<string, number>;
      rssBytes: number;
    }
  | { type: 'closed' };

const sockets: WebSocket[] = [];
let open = 0;
let closedUnexpectedly = 0;
/** Close codes of connections the server dropped (4002 idle, 4009 slow consumer, 1001 shutdown, …). */
const dropCodes: Record<string, number> = {};
let closing = false;
let pingTimer: NodeJS.Timeout | undefined;

function report(message: BenchClientReport): void {
  process.send?.(message);
}

function connectOne(start: BenchClientStart, index: number): Promise<string | undefined> {
  const userId = `${start.userPrefix}${index}`;
  const token = signToken(
    { sub: userId, dev: 'd', exp: Math.floor(Date.now() / 1000) + 86_400 },
    start.secret,
  );
  const url = start.wsUrls[index % start.wsUrls.length]!;
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}?token=${token}`, {
      localAddress: start.localAddress,
      perMessageDeflate: false,
    });
    let settled = false;
    ws.on('message', (data) => {
      // The first frame is `hello`: the connection is authenticated and registered.
      if (!settled && data.toString().includes('"hello"')) {
        settled = true;
        open += 1;
        sockets.push(ws);
        resolve(undefined);
      }
    });
    ws.on('error', (error) => {
      if (!settled) {
        settled = true;
        resolve(error.message);
      }
    });
    ws.on('close', (code) => {
      if (!settled) {
        settled = true;
        resolve(`closed ${code} before hello`);
      } else {
        open -= 1;
        if (!closing) {
          closedUnexpectedly += 1;
          dropCodes[code] = (dropCodes[code] ?? 0) + 1;
        }
      }
    });
  });
}

async function openAll(start: BenchClientStart): Promise<void> {
  const began = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  let lastProgress = began;
  const worker = async (): Promise<void> => {
    while (next < start.count) {
      const index = next++;
      const error = await connectOne(start, index);
      if (error !== undefined) {
        failed += 1;
        firstError ??= error;
      }
      if (performance.now() - lastProgress > 1000) {
        lastProgress = performance.now();
        report({ type: 'progress', open, failed });
      }
    }
  };
  // Pings start with the first connection: opening 17,000 can take longer than the idle timeout.
  pingTimer = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.ping();
  }, start.pingMs);
  await Promise.all(Array.from({ length: Math.min(start.concurrency, start.count) }, worker));
  report({
    type: 'opened',
    open,
    failed,
    durationMs: performance.now() - began,
    ...(firstError ? { firstError } : {}),
  });
}

process.on('message', (command: BenchClientCommand) => {
  if (command.type === 'open') void openAll(command);
  else if (command.type === 'status')
    report({ type: 'status', open, closedUnexpectedly, dropCodes, rssBytes: process.memoryUsage.rss() });
  else if (command.type === 'close') {
    closing = true;
    if (pingTimer !== undefined) clearInterval(pingTimer);
    for (const ws of sockets) ws.terminate();
    report({ type: 'closed' });
    process.disconnect?.();
  }
});
process.on('disconnect', () => process.exit(0));
