/** Starts an embedded server on an ephemeral port in a fresh temporary data directory (tests). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerAdapters } from '../contracts.js';
import { startServer } from '../index.js';
import type { RunningServer, ServerOptions } from '../options.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Closes the server and deletes its data directory. */
  dispose(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'capsim-server-test-'));
}

export async function startTestServer(
  options: ServerOptions = {},
  adapters: ServerAdapters = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  // Inline SQLite writes by default: a writer thread costs a second or so of start-up under tsx.
  const server = await startServer(
    { port: 0, host: '127.0.0.1', sqliteWriter: 'inline', ...options, dataDir },
    adapters,
  );
  return {
    ...server,
    dataDir,
    dispose: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
