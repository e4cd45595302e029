/**
 * Test support: runs the reference server (or, with `{ "fake": { …faults } }`, loadgen's deliberately
 * faulty fake server) in a child process. The k6 test double's HTTP calls are
 * synchronous (like k6's), which would block a server living in the test's own event loop.
 * Protocol: the parent forks this module with a JSON ServerOptions argument; the child answers
 * `{ url, wsUrl }` over IPC, and closes the server and exits on `'stop'` or when the parent goes away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServerFaults } from '../../loadgen/testing/fake-server.js';
import { startServer, type ServerOptions } from '../../reference-server/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions & { fake?: FakeServerFaults };
const dataDir = mkdtempSync(join(tmpdir(), 'capsim-k6-server-'));
const server = options.fake
  ? await startFakeServer({ ...options.fake, host: '127.0.0.1' })
  : await startServer({ port: 0, host: '127.0.0.1', ...options, dataDir });
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send?.({ url: server.url, wsUrl: server.wsUrl });
