/** Message channels for the control protocol: Node IPC (local child workers) and TCP JSON lines (remote). */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Channel } from './messages.js';

/** Channel over a forked child's IPC (coordinator side) or over `process` (child side). */
export function ipcChannel<Out, In>(endpoint: ChildProcess | NodeJS.Process): Channel<Out, In> {
  return {
    send: (message) => {
      if (endpoint.connected) endpoint.send?.(message as object);
    },
    onMessage: (listener) => {
      endpoint.on('message', (message: unknown) => listener(message as In));
    },
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
  const listeners: ((message: In) => void)[] = [];
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') {
        const message = JSON.parse(line) as In;
        for (const listener of listeners) listener(message);
      }
      newline = buffer.indexOf('\n');
    }
  });
  socket.on('error', () => undefined);
  return {
    send: (message) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    },
    onMessage: (listener) => {
      listeners.push(listener);
    },
    onClose: (listener) => {
      socket.on('close', listener);
    },
    close: () => socket.end(),
  };
}
