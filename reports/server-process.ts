/**
 * Child-process entry that runs the embedded reference server for `capsim run`, so the server has its
 * own event loop and its /metrics CPU and memory figures are the server's alone (not the load
 * generator's). Protocol over IPC: parent sends `{ type: 'start', options }`, child answers
 * `{ type: 'ready', url, wsUrl }` or `{ type: 'error', message }`; `{ type: 'close' }` (or the parent
 * going away) closes the server and exits.
 */
import type { ServerOptions } from '../reference-server/index.js';

type ParentMessage = { type: 'start'; options: ServerOptions } | { type: 'close' };

let close: (() => Promise<void>) | undefined;

async function shutdown(): Promise<void> {
  await close?.().catch(() => undefined);
  process.exit(0);
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'close') {
    void shutdown();
    return;
  }
  void (async () => {
    try {
      const { startServer } = await import('../reference-server/index.js');
      const server = await startServer(message.options);
      close = () => server.close();
      process.send?.({ type: 'ready', url: server.url, wsUrl: server.wsUrl });
    } catch (error) {
      process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  })();
});
process.on('disconnect', () => void shutdown());
