/**
 * The reference server's library entry point. `startServer(options)` runs embedded mode (SQLite +
 * in-process registry and pub/sub); cluster mode (reference-server/cluster/) calls it with its own
 * adapters: `startServer(options, { instanceId, store, sequences, registry, bus, rateLimiter })`.
 */
import type { ServerAdapters } from './contracts.js';
import { startGateway } from './gateway/server.js';
import type { RunningServer, ServerOptions } from './options.js';

export function startServer(
  options: ServerOptions = {},
  adapters: ServerAdapters = {},
): Promise<RunningServer> {
  return startGateway(options, adapters);
}

export type {
  RunningServer,
  ServerOptions,
  ServerProfile,
  WriteBufferOptions,
  RetentionOptions,
} from './options.js';
export { resolveServerOptions } from './options.js';
export { signToken, verifyToken, type TokenPayload } from './auth/token.js';
export { FakeClock, systemClock } from './clock.js';
export type * from './contracts.js';
