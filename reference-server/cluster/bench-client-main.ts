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
  | { type: 'status'; open: number; closedUnexpectedly: number; rssBytes: number }
  | { type: 'closed' };

const sockets: WebSocket[] = [];
let open = 0;
let closedUnexpectedly = 0;
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
        if (!closing) closedUnexpectedly += 1;
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
  await Promise.all(Array.from({ length: Math.min(start.concurrency, start.count) }, worker));
  pingTimer = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.ping();
  }, start.pingMs);
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
    report({ type: 'status', open, closedUnexpectedly, rssBytes: process.memoryUsage.rss() });
  else if (command.type === 'close') {
    closing = true;
    if (pingTimer !== undefined) clearInterval(pingTimer);
    for (const ws of sockets) ws.terminate();
    report({ type: 'closed' });
    process.disconnect?.();
  }
});
process.on('disconnect', () => process.exit(0));
