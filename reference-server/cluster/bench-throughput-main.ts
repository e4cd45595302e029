/**
 * Throughput client process of the cluster bench (forked, so its CPU is not the servers'): `pairs`
 * sender → recipient pairs, senders connected to `senderUrl`, recipients to `recipientUrl` (another
 * instance = cross-instance delivery through Redis pub/sub; the same instance = local delivery). Each
 * sender keeps `window` messages in flight (until delivered). ACK latency = send → ack, delivery
 * latency = send → deliver, both on this process's clock.
 */
import hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { signToken } from '../auth/token.js';

export interface ThroughputCommand {
  type: 'throughput';
  senderUrl: string;
  recipientUrl: string;
  pairs: number;
  window: number;
  warmupMs: number;
  durationMs: number;
  tag: string;
}

export interface ThroughputReport {
  type: 'throughput';
  deliveredPerSecond: number;
  ackedPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  errors: number;
}

function connect(wsUrl: string, userId: string): Promise<WebSocket> {
  const token = signToken({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 }, 'capsim-dev-secret');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?token=${token}`, { perMessageDeflate: false });
    ws.once('message', () => resolve(ws)); // hello
    ws.once('error', reject);
  });
}

async function throughput(command: ThroughputCommand): Promise<ThroughputReport> {
  const build = () =>
    hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
  const ack = build();
  const delivery = build();
  let measuring = false;
  let stopped = false;
  let delivered = 0;
  let acked = 0;
  let errors = 0;
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: command.pairs }, async (_, pair) => {
      const senderId = `${command.tag}s${pair}`;
      const recipientId = `${command.tag}r${pair}`;
      const conversationId = `dm:${[senderId, recipientId].sort().join(':')}`;
      const [sender, recipient] = await Promise.all([
        connect(command.senderUrl, senderId),
        connect(command.recipientUrl, recipientId),
      ]);
      sockets.push(sender, recipient);
      const sentAt = new Map<string, number>();
      let counter = 0;
      const sendOne = (): void => {
        if (stopped) return;
        const key = `${pair}-${counter++}`;
        sentAt.set(key, performance.now());
        sender.send(
          JSON.stringify({
            type: 'send',
            conversationId,
            idempotencyKey: key,
            body: 'x'.repeat(64),
            clientTs: Date.now(),
          }),
        );
      };
      sender.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; idempotencyKey?: string };
        if (frame.type === 'ack' && frame.idempotencyKey !== undefined) {
          const at = sentAt.get(frame.idempotencyKey);
          if (measuring && at !== undefined) {
            acked += 1;
            ack.recordValue(Math.max(1, Math.round((performance.now() - at) * 1000)));
          }
        } else if (frame.type === 'error') {
          errors += 1;
          if (frame.idempotencyKey !== undefined) sentAt.delete(frame.idempotencyKey);
          setTimeout(sendOne, 10);
        }
      });
      recipient.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as {
          type: string;
          conversationId?: string;
          seq?: number;
          body?: string;
        };
        if (frame.type !== 'deliver') return;
        // The recipient learns the key from nothing but order; match by the oldest outstanding send.
        const oldest = sentAt.keys().next();
        if (!oldest.done) {
          const at = sentAt.get(oldest.value)!;
          sentAt.delete(oldest.value);
          if (measuring) {
            delivered += 1;
            delivery.recordValue(Math.max(1, Math.round((performance.now() - at) * 1000)));
          }
        }
        sendOne();
      });
      for (let index = 0; index < command.window; index += 1) sendOne();
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, command.warmupMs));
  measuring = true;
  const began = performance.now();
  await new Promise((resolve) => setTimeout(resolve, command.durationMs));
  measuring = false;
  const seconds = (performance.now() - began) / 1000;
  stopped = true;
  for (const ws of sockets) ws.terminate();
  const ms = (histogram: typeof ack, percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  return {
    type: 'throughput',
    deliveredPerSecond: delivered / seconds,
    ackedPerSecond: acked / seconds,
    ackP50Ms: ms(ack, 50),
    ackP99Ms: ms(ack, 99),
    deliveryP50Ms: ms(delivery, 50),
    deliveryP99Ms: ms(delivery, 99),
    errors,
  };
}

process.on('message', (command: ThroughputCommand) => {
  if (command.type === 'throughput') {
    void throughput(command).then(
      (report) => {
        process.send?.(report);
        process.disconnect?.();
      },
      (error: unknown) => {
        console.error(error);
        process.exit(3);
      },
    );
  }
});
