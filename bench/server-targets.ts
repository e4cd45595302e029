/**
 * The processes bench/server.ts measures: the reference server (reference-server/child-server.ts, a
 * fresh SQLite data directory each time) or the bare relay (bare-relay.ts), and the client
 * (server-client.ts), each forked with --expose-gc and spoken to over IPC.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkModule, resolveSiblingModule } from '../common/spawn-module.js';

export interface Child {
  process: ChildProcess;
  request<T>(message: object, replyType: string): Promise<T>;
  stop(): Promise<void>;
}

export async function spawn(
  relative: string,
  args: string[],
  readyType: string,
): Promise<Child & { ready: Record<string, unknown> }> {
  const child = forkModule(resolveSiblingModule(import.meta.url, relative), args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => boolean)[] = [];
  child.on('message', (message: Record<string, unknown>) => {
    const index = waiters.findIndex((w) => w(message));
    if (index >= 0) waiters.splice(index, 1);
    else queue.push(message);
  });
  const wait = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const queued = queue.findIndex((m) => m.type === type || m.type === 'error');
      const settle = (m: Record<string, unknown>) =>
        m.type === 'error' ? reject(new Error(String(m.message))) : resolve(m);
      if (queued >= 0) return settle(queue.splice(queued, 1)[0]);
      waiters.push((m) => {
        if (m.type !== type && m.type !== 'error') return false;
        settle(m);
        return true;
      });
    });
  const ready = await wait(readyType);
  return {
    process: child,
    ready,
    request: async <T>(message: object, replyType: string) => {
      const reply = wait(replyType);
      child.send(message);
      return (await reply) as T;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

export interface ServerTarget {
  wsUrl: string;
  child: Child;
  dispose(): Promise<void>;
}

export async function startPipeline(extra: object = {}): Promise<ServerTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capsim-bench-server-'));
  const options = {
    port: 0,
    dataDir,
    profile: 'loadtest',
    heartbeatMs: 600_000,
    maxConnections: 19_900,
    ...extra,
  };
  const child = await spawn('../reference-server/child-server', [JSON.stringify(options)], 'listening');
  return {
    wsUrl: child.ready.wsUrl as string,
    child,
    dispose: async () => {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startRelay(): Promise<ServerTarget> {
  const child = await spawn('./bare-relay', [JSON.stringify({ port: 0 })], 'listening');
  return { wsUrl: child.ready.wsUrl as string, child, dispose: () => child.stop() };
}
