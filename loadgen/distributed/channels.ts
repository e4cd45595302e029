/**
 * Message channels for the control protocol: Node IPC (local child workers) and TCP JSON lines
 * (remote workers). Both buffer messages that arrive before anyone listens, so a worker's `hello`
 * sent at start-up is never lost.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Channel } from './messages.js';

function buffered<In>(): { deliver(message: In): void; subscribe(listener: (message: In) => void): void } {
  const early: In[] = [];
  const listeners: ((message: In) => void)[] = [];
  return {
    deliver(message) {
      if (listeners.length === 0) early.push(message);
      else for (const listener of listeners) listener(message);
    },
    subscribe(listener) {
      listeners.push(listener);
      while (early.length > 0) listener(early.shift() as In);
    },
  };
}

/** Channel over a forked child's IPC (coordinator side) or over `process` (child side). */
export function ipcChannel<Out, In>(endpoint: ChildProcess | NodeJS.Process): Channel<Out, In> {
  const inbox = buffered<In>();
  endpoint.on('message', (message: unknown) => inbox.deliver(message as In));
  return {
    send: (message) => {
      if (endpoint.connected) endpoint.send?.(message as object);
    },
    onMessage: (listener) => inbox.subscribe(listener),
    onClose: (listener) => {
      endpoint.on('disconnect', listener);
    },
    close: () => {
      if (endpoint.connected) endpoint.disconnect?.();
    },
  };
}

/** Channel over a TCP socket: one JSON document per line. */
export function tcpChannel<Out, In>(socket: Socket): Channel<Out, In> {
  let buffer = '';
  const inbox = buffered<In>();
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') inbox.deliver(JSON.parse(line) as In);
      newline = buffer.indexOf('\n');
    }
  });
  socket.on('error', () => undefined);
  return {
    send: (message) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    },
    onMessage: (listener) => inbox.subscribe(listener),
    onClose: (listener) => {
      socket.on('close', listener);
    },
    close: () => socket.end(),
  };
}
