/** Everything a frame handler needs: the adapters, the limits and the shared gateway state. */
import type {
  Clock,
  ConnectionRegistry,
  MessageStore,
  PubSub,
  RateLimiter,
  SequenceAllocator,
} from '../contracts.js';
import type { ResolvedServerOptions } from '../options.js';
import type { Connection, ConnectionTable } from './connection.js';
import type { Delivery } from './delivery.js';
import type { GatewayMetrics } from './metrics.js';
import type { Breaker } from './resilience.js';
import type { WriteBuffer } from './write-buffer.js';

export interface GatewayContext {
  options: ResolvedServerOptions;
  instanceId: string;
  clock: Clock;
  store: MessageStore;
  sequences: SequenceAllocator;
  registry: ConnectionRegistry;
  bus: PubSub;
  rateLimiter: RateLimiter;
  /** Breaker for storage reads and small writes (receipts, groups, DLQ). */
  storeBreaker: Breaker;
  /** Breaker for group commits: a store that reads fine but cannot write must still open a circuit. */
  storeWriteBreaker: Breaker;
  busBreaker: Breaker;
  connections: ConnectionTable;
  delivery: Delivery;
  writeBuffer: WriteBuffer;
  metrics: GatewayMetrics;
  /** Sends waiting for their commit, by `${senderId}\0${idempotencyKey}` (in-flight duplicates). */
  inFlight: Map<string, { addCopy(connection: Connection): void }>;
  /** Members by conversation id (dms and groups; both immutable), cleared at 100,000 entries. */
  membersCache: Map<string, readonly string[]>;
  shuttingDown: boolean;
  dependencyNames: { store: string; bus: string };
}
