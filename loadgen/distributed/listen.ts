/** The coordinator's TCP listener: remote workers (`capsim worker --join host:port`) connect here. */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tcpChannel } from './channels.js';
import type { WorkerChannel } from './coordinator.js';
import type { CoordinatorMessage, WorkerMessage } from './messages.js';

export interface WorkerListener {
  address: string;
  port: number;
  accept(count: number, timeoutMs?: number): Promise<WorkerChannel[]>;
  close(): void;
}

export async function listenForWorkers(host: string, port: number): Promise<WorkerListener> {
  const server = net.createServer();
  const pending: WorkerChannel[] = [];
  let notify: (() => void) | null = null;
  server.on('connection', (socket) => {
    pending.push(tcpChannel<CoordinatorMessage, WorkerMessage>(socket));
    notify?.();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.address}:${bound.port}`,
    port: bound.port,
    accept: (count, timeoutMs = 10 * 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${pending.length} of ${count} workers joined`)),
          timeoutMs,
        );
        const check = () => {
          if (pending.length >= count) {
            clearTimeout(timer);
            notify = null;
            resolve(pending.splice(0, count));
          }
        };
        notify = check;
        check();
      }),
    close: () => server.close(),
  };
}

/** Worker side: connects to the coordinator (optionally from a given local address). */
export function joinCoordinator(host: string, port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}
