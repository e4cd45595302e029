/**
 * Client process of bench/server.ts (forked, so its CPU is not the server's). One client drives both
 * the reference server and the bare relay, so the two are measured identically:
 * - `throughput`: `pairs` sender → recipient pairs, each sender keeping `window` messages in flight
 *   (in flight until delivered); ACK latency = send → ack, delivery latency = send → deliver (same clock).
 * - `idle`: opens `count` authenticated connections spread over source addresses and holds them.
 */
import { readFileSync } from 'node:fs';
import hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { signToken } from '../reference-server/auth/token.js';

interface ThroughputCommand {
  type: 'throughput';
  wsUrl: string;
  pairs: number;
  window: number;
  warmupMs: number;
  durationMs: number;
  tag: string;
  /** The server's process, whose CPU (all threads) is read from /proc over the measured window. */
  serverPid?: number;
}
interface IdleCommand {
  type: 'idle';
  wsUrl: string;
  count: number;
  addresses: string[];
  tag: string;
}
type Command = ThroughputCommand | IdleCommand | { type: 'close' };

const secret = 'capsim-dev-secret';
const held: WebSocket[] = [];

function connect(wsUrl: string, userId: string, localAddress?: string): Promise<WebSocket> {
  const token = signToken({ sub: userId, exp: Math.floor(Date.now() / 1000) + 86_400 }, secret);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?token=${token}`, {
      perMessageDeflate: false,
      ...(localAddress ? { localAddress } : {}),
    });
    ws.once('message', () => resolve(ws)); // hello
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed ${code} before hello`)));
  });
}

/** Value of a string field in compact JSON (`"name":"value"`, value without escapes). */
function stringField(text: string, name: string): string {
  const marker = `"${name}":"`;
  const start = text.indexOf(marker);
  if (start < 0) return '';
  const from = start + marker.length;
  return text.slice(from, text.indexOf('"', from));
}

/** Value of a number field in compact JSON (`"name":123.4`). */
function numberField(text: string, name: string): number {
  const marker = `"${name}":`;
  const start = text.indexOf(marker);
  if (start < 0) return Number.NaN;
  const from = start + marker.length;
  let end = from;
  while (end < text.length && text[end] !== ',' && text[end] !== '}') end += 1;
  return Number(text.slice(from, end));
}

async function throughput(command: ThroughputCommand) {
  const ack = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const delivery = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let measuring = false;
  let stopped = false;
  let delivered = 0;
  let acked = 0;
  let errors = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < command.pairs; i += 1) {
    const senderId = `${command.tag}-s${i}`;
    const recipientId = `${command.tag}-r${i}`;
    const sender = await connect(command.wsUrl, senderId);
    const recipient = await connect(command.wsUrl, recipientId);
    sockets.push(sender, recipient);
    const conversationId =
      senderId < recipientId ? `dm:${senderId}:${recipientId}` : `dm:${recipientId}:${senderId}`;
    const sentAt = new Map<string, number>();
    let counter = 0;
    const sendOne = () => {
      if (stopped) return;
      const key = `${i}-${counter++}`;
      const now = performance.now();
      sentAt.set(key, now);
      sender.send(
        JSON.stringify({
          type: 'send',
          conversationId,
          idempotencyKey: key,
          body: 'x'.repeat(100),
          clientTs: now,
        }),
      );
    };
    // Frames are scanned, not JSON-parsed: the client must not be the bottleneck it measures.
    sender.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"type":"ack"')) {
        const key = stringField(text, 'idempotencyKey');
        const start = sentAt.get(key);
        if (start !== undefined && measuring) {
          ack.recordValue(Math.max(1, Math.round((performance.now() - start) * 1000)));
          acked += 1;
        }
        sentAt.delete(key);
      } else if (text.startsWith('{"type":"error"')) errors += 1;
    });
    recipient.on('message', (data: Buffer) => {
      const text = data.toString();
      const isDeliver = text.startsWith('{"type":"deliver"');
      if (!isDeliver && !text.startsWith('{"type":"send"')) return;
      const clientTs = numberField(text, 'clientTs');
      if (measuring && !Number.isNaN(clientTs)) {
        delivery.recordValue(Math.max(1, Math.round((performance.now() - clientTs) * 1000)));
        delivered += 1;
      }
      // The relay forwards the send frame itself (no ACK): forget the key on delivery instead.
      if (!isDeliver) sentAt.delete(stringField(text, 'idempotencyKey'));
      sendOne();
    });
    for (let w = 0; w < command.window; w += 1) sendOne();
  }
  await new Promise((resolve) => setTimeout(resolve, command.warmupMs));
  measuring = true;
  const startMs = performance.now();
  const clientCpu = process.cpuUsage();
  const serverCpuStartS = processCpuSeconds(command.serverPid);
  await new Promise((resolve) => setTimeout(resolve, command.durationMs));
  measuring = false;
  const seconds = (performance.now() - startMs) / 1000;
  const clientUsed = process.cpuUsage(clientCpu);
  const serverCpuS = processCpuSeconds(command.serverPid) - serverCpuStartS;
  stopped = true;
  for (const ws of sockets) ws.terminate();
  const q = (h: typeof ack, p: number) => (h.totalCount === 0 ? null : h.getValueAtPercentile(p) / 1000);
  return {
    type: 'throughput-result',
    deliveredPerSecond: delivered / seconds,
    ackedPerSecond: acked / seconds,
    errors,
    ackP50Ms: q(ack, 50),
    ackP99Ms: q(ack, 99),
    deliveryP50Ms: q(delivery, 50),
    deliveryP99Ms: q(delivery, 99),
    clientCpuShare: (clientUsed.user + clientUsed.system) / 1e6 / seconds,
    serverCpuShare: command.serverPid === undefined ? null : serverCpuS / seconds,
  };
}

/** User + system CPU seconds of a process and all its threads so far (/proc/<pid>/stat, clock ticks). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime at USER_HZ = 100
  } catch {
    return 0;
  }
}

async function idle(command: IdleCommand) {
  let failed = 0;
  const concurrency = 200;
  let next = 0;
  const worker = async () => {
    while (next < command.count) {
      const index = next++;
      const address = command.addresses[index % command.addresses.length];
      try {
        held.push(await connect(command.wsUrl, `${command.tag}-idle${index}`, address));
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { type: 'idle-ready', opened: held.length, failed };
}

process.on('message', (command: Command) => {
  if (command.type === 'close') {
    for (const ws of held) ws.terminate();
    process.exit(0);
  }
  const work = command.type === 'throughput' ? throughput(command) : idle(command);
  void work.then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
