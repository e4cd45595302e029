/** Starts the embedded reference server in a child process (reports/server-process.ts) and stops it. */
import type { ChildProcess } from 'node:child_process';
import { forkModule, resolveSiblingModule } from '../common/spawn-module.js';
import type { ServerOptions } from '../reference-server/index.js';

export interface ChildServer {
  url: string;
  wsUrl: string;
  pid: number;
  close(): Promise<void>;
}

type ChildMessage = { type: 'ready'; url: string; wsUrl: string } | { type: 'error'; message: string };

export async function startServerProcess(
  options: ServerOptions,
  startTimeoutMs = 30_000,
): Promise<ChildServer> {
  const child: ChildProcess = forkModule(resolveSiblingModule(import.meta.url, './server-process'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; wsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`reference server did not start within ${startTimeoutMs} ms`)),
      startTimeoutMs,
    );
    child.once('message', (message: ChildMessage) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve(message);
      else reject(new Error(`reference server failed to start: ${message.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference server process exited with code ${code}`));
    });
    child.send({ type: 'start', options });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return {
    ...ready,
    pid: child.pid ?? -1,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
