/**
 * Runs an embedded server in a child process (restart tests, the bench): options as JSON in argv[2];
 * reports `{ type: 'listening', url, wsUrl, port }` over IPC; `{ type: 'close' }` shuts it down
 * gracefully; `{ type: 'rss' }` answers `{ type: 'rss', rssBytes }`. Start it with `forkModule(resolveSiblingModule(import.meta.url, './child-server'), [json])`.
 */
import { startServer } from './index.js';
import type { ServerOptions } from './options.js';

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const server = await startServer(options);
process.send?.({ type: 'listening', url: server.url, wsUrl: server.wsUrl, port: server.port });
process.on('message', (message: { type?: string }) => {
  if (message.type === 'close') void server.close().then(() => process.exit(0));
  if (message.type === 'rss') {
    // With --expose-gc the figure excludes collectable garbage (the bench runs children that way).
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: 'rss', rssBytes: process.memoryUsage.rss() });
  }
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
