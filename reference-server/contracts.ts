/**
 * The ports of the reference server's pipeline. The gateway (reference-server/gateway/) only talks to
 * these interfaces; embedded mode implements them in-process on SQLite (reference-server/embedded/),
 * cluster mode on Redis + PostgreSQL (reference-server/cluster/, owned by CLUSTER).
 *
 * Rules every adapter follows:
 * - Everything is async and batch-friendly: the gateway calls these with many items at once where it can
 *   (one `appendBatch` per write-buffer flush, one `refresh` per heartbeat sweep, one `lookup` per fan-out).
 * - Time is always passed in (`nowMs`) from the injectable `Clock`; adapters never read the wall clock
 *   for anything that affects behaviour (retention, TTLs), so tests can fake days passing.
 * - The MessageStore is the source of truth for sequence numbers: after any failure the gateway calls
 *   `SequenceAllocator.invalidate`, and the allocator re-reads `MessageStore.maxSeq` before allocating.
 * - Adapters throw on failure (any Error); the gateway wraps them in circuit breakers and retries.
 */
import type { ServerOptions, RunningServer } from './options.js';

// ---------------------------------------------------------------------------------------------------
// Clock

/** Injectable time source. Production uses `systemClock`; tests use `FakeClock` (reference-server/clock.ts). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

// ---------------------------------------------------------------------------------------------------
// Messages and storage

/** A message as stored and delivered (the `deliver` frame of PROTOCOL.md minus `type`/`redelivery`). */
export interface StoredMessage {
  conversationId: string;
  seq: number;
  /** `${conversationId}#${seq}` */
  messageId: string;
  senderId: string;
  senderDeviceId: string;
  idempotencyKey: string;
  body: string;
  /** Opaque client timestamp echoed to recipients (null when the client sent none). */
  clientTs: number | null;
  /** Server time the message was accepted (ms). */
  serverTs: number;
}

/**
 * One message of a write-buffer flush. `inboxUserIds` are every member of the conversation except the
 * sender: each gets a durable inbox row in the SAME transaction as the message, so an ACKed message can
 * always be redelivered after a crash. A row leaves the inbox on that user's `delivered` receipt.
 */
export interface AppendItem {
  message: StoredMessage;
  inboxUserIds: readonly string[];
}

/** What an idempotency key maps to (kept `retention.idempotencyMs`, 24 h by default). */
export interface IdempotencyRecord {
  senderId: string;
  idempotencyKey: string;
  conversationId: string;
  seq: number;
  messageId: string;
  serverTs: number;
}

export type ReceiptStatus = 'delivered' | 'read';

export interface ReceiptUpdate {
  conversationId: string;
  /** The user whose device sent the receipt (a recipient). */
  userId: string;
  /** Covers this seq and every earlier one of the conversation. */
  seq: number;
  status: ReceiptStatus;
  atMs: number;
}

export interface ReceiptOutcome {
  /** False when the receipt did not move this user's status forward (duplicate or stale): not relayed. */
  advanced: boolean;
  /** Sender of message `seq` (to relay the receipt to), when that message is still stored. */
  senderId: string | null;
}

/** Cursor into a user's inbox: rows are ordered by (conversationId, seq). */
export interface InboxCursor {
  conversationId: string;
  seq: number;
}

/** Retention categories of seed document 002 (section 4). */
export type RetentionKind = 'read' | 'delivered' | 'undelivered' | 'idempotency' | 'deadLetters';

/** A cross-instance delivery that failed after all retries (seed 002, gap 1: no silent loss). */
export interface DeadLetter {
  id: number;
  /** Instance the delivery was addressed to. */
  targetInstanceId: string;
  envelope: BusEnvelope;
  error: string;
  attempts: number;
  createdAtMs: number;
}

export type NewDeadLetter = Omit<DeadLetter, 'id'>;

export interface MessageStore {
  /** Creates tables/indexes if needed. Called once before use. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Cheap liveness probe for /readyz and half-open circuit checks. */
  ping(): Promise<void>;

  /**
   * Durably stores a batch in ONE transaction: messages, their idempotency keys and inbox rows. All or
   * nothing; resolves only once committed (the gateway ACKs after that). Seqs are assigned by the caller.
   */
  appendBatch(items: readonly AppendItem[]): Promise<void>;
  /**
   * How many `appendBatch` calls may be outstanding at once (default 1). A store that allows more
   * promises two things: batches commit in call order, and once a batch fails every batch called
   * before that failure was reported fails too — so a failed commit never leaves a gap of seqs below
   * a committed one. The embedded SQLite writer thread allows 2 (one committing, one queued), which
   * hides the round trip between the gateway and the writer.
   */
  readonly appendPipelineDepth?: number;
  /** Highest stored seq per conversation (0 when none). */
  maxSeq(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /** Idempotency lookup; result[i] answers keys[i] (undefined = unknown key or expired). */
  findIdempotent(
    keys: readonly { senderId: string; idempotencyKey: string }[],
  ): Promise<(IdempotencyRecord | undefined)[]>;
  /**
   * Optional synchronous form of `findIdempotent` for one key, offered by stores that read in-process
   * (embedded SQLite): the hot path of a send then needs no promise, no breaker and no microtask.
   */
  findIdempotentSync?(senderId: string, idempotencyKey: string): IdempotencyRecord | undefined;

  /** Messages with seq > afterSeq, ascending, at most `limit` (sync / gap fill). */
  messagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<StoredMessage[]>;
  /** Messages with seq < beforeSeq (or the newest when null), DESCENDING, at most `limit` (history). */
  messagesBefore(conversationId: string, beforeSeq: number | null, limit: number): Promise<StoredMessage[]>;

  /** A user's inbox after `cursor` (exclusive), ordered by (conversationId, seq), at most `limit`. */
  readInbox(userId: string, cursor: InboxCursor | null, limit: number): Promise<StoredMessage[]>;
  /**
   * Applies a receipt: moves the user's status forward for the conversation, removes the user's inbox
   * rows with seq ≤ `seq` (both statuses), stamps the covered messages' delivered/read time (retention).
   */
  applyReceipt(update: ReceiptUpdate): Promise<ReceiptOutcome>;

  /** Creates a group; 'exists' when the id exists with the same member set, 'conflict' otherwise. */
  createGroup(
    conversationId: string,
    memberIds: readonly string[],
    nowMs: number,
  ): Promise<'created' | 'exists' | 'conflict'>;
  /** Members of a group, or undefined when the group does not exist. */
  groupMembers(conversationId: string): Promise<string[] | undefined>;

  addDeadLetters(entries: readonly NewDeadLetter[]): Promise<void>;
  /** Oldest first, ids > afterId. */
  listDeadLetters(afterId: number, limit: number): Promise<DeadLetter[]>;
  removeDeadLetters(ids: readonly number[]): Promise<void>;
  countDeadLetters(): Promise<number>;

  /**
   * Deletes at most `batchSize` expired rows of one kind and returns how many it deleted; the caller
   * loops until the result is < batchSize (bounded transactions, seed 004's `DELETE … LIMIT 1000`).
   * Cut-offs (rows older than the cut-off are expired):
   * - read:        messages whose first `read` receipt is older than cutoffMs, no inbox row left
   * - delivered:   messages whose first `delivered` receipt is older than cutoffMs, no inbox row left
   * - undelivered: messages created before cutoffMs regardless of status (and their inbox rows)
   * - idempotency: keys created before cutoffMs
   * - deadLetters: DLQ entries created before cutoffMs
   */
  sweep(kind: RetentionKind, cutoffMs: number, batchSize: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------
// Sequence numbers

export interface SequenceAllocator {
  /**
   * Reserves `count` consecutive seqs for the conversation and returns the first. Implementations seed
   * themselves from `MessageStore.maxSeq` on first use and after `invalidate` (Redis INCR with the
   * database as the source of truth after a Redis loss, seed 002 gap 2).
   */
  allocate(conversationId: string, count: number): Promise<number>;
  /**
   * Optional synchronous form of `allocate` for allocators that keep counters in process: returns the
   * first seq when the conversation's counter is already seeded, undefined when `allocate` must be used.
   */
  allocateSync?(conversationId: string, count: number): number | undefined;
  /** Forget cached counters (all when omitted): a batch failed, so its seqs were never used. */
  invalidate(conversationIds?: readonly string[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Connection registry and presence

export interface DeviceRef {
  userId: string;
  deviceId: string;
}

export interface DeviceLocation extends DeviceRef {
  instanceId: string;
  /** Registry entries expire unless refreshed (heartbeat); a crashed instance's entries vanish. */
  expiresAtMs: number;
}

export interface UserPresence {
  devices: DeviceLocation[];
  /** Last time any device of the user was seen (ms), null when never. */
  lastSeenMs: number | null;
}

export interface ConnectionRegistry {
  register(location: DeviceRef & { instanceId: string }, nowMs: number, ttlMs: number): Promise<void>;
  /** Batched TTL refresh of devices connected to `instanceId`; also updates lastSeen. */
  refresh(instanceId: string, devices: readonly DeviceRef[], nowMs: number, ttlMs: number): Promise<void>;
  /** Removes the entry only if it still points at `instanceId` (a newer connection may have replaced it). */
  unregister(location: DeviceRef & { instanceId: string }, nowMs: number): Promise<void>;
  /** Live (unexpired) devices and lastSeen of each user; users without either may be missing. */
  lookup(userIds: readonly string[], nowMs: number): Promise<Map<string, UserPresence>>;
  /** Drops expired device entries and lastSeen records older than `presenceRetentionMs`. */
  sweep(nowMs: number, presenceRetentionMs: number): Promise<number>;
  /**
   * Optional: true when no instance other than `instanceId` has ever registered a device here (an
   * embedded, single-process server), so fan-out can skip the registry lookup for remote devices.
   */
  isSoleInstance?(instanceId: string): boolean;
  /** Optional: resolves when the registry answers now (readiness probes; Redis: PING). */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Cross-instance delivery bus

/**
 * A frame for devices on another instance. `frame` is the already-serialized JSON text frame sent
 * as is; `targets` are users (all their devices on that instance) minus `exclude` (the sending device).
 */
export interface BusEnvelope {
  kind: 'deliver' | 'receipt' | 'replace';
  targets: DeviceRef[] | { userId: string }[];
  exclude?: DeviceRef;
  frame: string;
  /** For deliver envelopes: the message, so a DLQ replay can reload it. */
  conversationId?: string;
  seq?: number;
}

export interface PubSub {
  /** Starts receiving envelopes addressed to `instanceId`. */
  subscribe(instanceId: string, handler: (envelope: BusEnvelope) => void): Promise<void>;
  /** Throws when the envelope could not be handed to the bus (the gateway retries, then DLQs). */
  publish(instanceId: string, envelope: BusEnvelope): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Rate limiting

export interface RateDecision {
  allowed: boolean;
  /** When not allowed: how long until one more event fits in the window. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one event for `key` in a sliding window of `windowMs` if it fits under `limit`. */
  consume(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateDecision>;
  /** Optional synchronous form of `consume` for in-process limiters. */
  consumeSync?(key: string, limit: number, windowMs: number, nowMs: number): RateDecision;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Assembly

/**
 * The adapters one gateway instance runs on. `startServer(options, adapters)` (reference-server/index.ts)
 * uses the embedded SQLite/in-process ones for any adapter not given; CLUSTER passes Redis/PostgreSQL
 * ones plus a distinct `instanceId` per instance. Ownership: the server initialises and closes only the
 * adapters it created itself; adapters passed in must be `init()`ed before and closed after by the caller.
 */
export interface ServerAdapters {
  instanceId?: string;
  store?: MessageStore;
  sequences?: SequenceAllocator;
  registry?: ConnectionRegistry;
  bus?: PubSub;
  rateLimiter?: RateLimiter;
  clock?: Clock;
  /** Names shown in /readyz for the bus/registry dependency (e.g. 'redis'); default 'in-process'. */
  dependencyNames?: { store?: string; bus?: string };
}

/**
 * Cluster mode entry point, implemented by CLUSTER in reference-server/cluster/index.ts and imported
 * lazily by `capsim serve --redis … --postgres … [--instances N]`.
 */
export interface ClusterOptions extends ServerOptions {
  redisUrl: string;
  postgresUrl: string;
  /** Gateway instances (processes); ports are `port`, `port+1`, … (or all ephemeral when port is 0). */
  instances: number;
  /** Message shards (PostgreSQL schemas) chosen by conversation hash. */
  shards?: number;
  /** Prefix of every Redis key and PostgreSQL schema (tests use their own). */
  keyPrefix?: string;
}

export interface RunningCluster {
  instances: RunningServer[];
  close(): Promise<void>;
}

export type StartCluster = (options: ClusterOptions) => Promise<RunningCluster>;
