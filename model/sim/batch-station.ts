/**
 * A batching station (a write buffer): jobs gather in an open batch that is flushed when it holds
 * `maxBatch` jobs or `maxDelayMs` after its first job arrived, whichever comes first. A flushed batch
 * is served by one of `servers` servers in time a + b·size (`baseMs` a, a distribution, plus
 * `perItemMs` b per job — e.g. one DB transaction of 100 inserts); flushed batches wait FIFO for a
 * server. Jobs beyond `bufferCapacity` (open + flushed, not yet in service) are dropped.
 * Wait = time from arrival to the start of its batch's service; sojourn adds the batch service time.
 */
import type { Distribution } from './distributions.js';
import type { SimContext } from './context.js';
import type { SimComponent } from './core/simulation.js';
import type { Random } from '../random.js';
import { StationStats, type StationReplicationStats } from './station-stats.js';

const FLUSH = 0;
const DONE = 1;

export interface BatchStationOptions {
  name: string;
  index: number;
  servers: number;
  maxBatch: number;
  maxDelayMs: number;
  baseMs: Distribution;
  perItemMs: number;
  bufferCapacity: number;
}

export class BatchStation implements SimComponent {
  readonly name: string;
  readonly index: number;
  readonly nominalServers: number;
  readonly stats = new StationStats();
  readonly id: number;
  private readonly options: BatchStationOptions;
  private readonly context: SimContext;
  private readonly random: Random;
  private busy = 0;
  private itemsInService = 0;
  /** Items in the open batch plus in flushed batches waiting for a server. */
  private itemsQueued = 0;
  private openHead = -1;
  private openTail = -1;
  private openSize = 0;
  private generation = 0;
  private readyHeads: Int32Array = new Int32Array(256);
  private readySizes: Int32Array = new Int32Array(256);
  private readyStart = 0;
  private readyLength = 0;

  constructor(context: SimContext, options: BatchStationOptions) {
    this.context = context;
    this.options = options;
    this.name = options.name;
    this.index = options.index;
    this.nominalServers = options.servers;
    this.random = context.sim.random.fork(`station:${options.name}`);
    this.id = context.sim.register(this);
  }

  get inStation(): number {
    return this.itemsQueued + this.itemsInService;
  }

  arrive(entity: number): void {
    const sim = this.context.sim;
    const pool = this.context.pool;
    const now = sim.nowMs;
    this.advance(now);
    this.stats.arrivals++;
    if (this.itemsQueued >= this.options.bufferCapacity) {
      this.stats.drops++;
      this.stats.failed++;
      this.context.router.fail(entity, this.index);
      return;
    }
    pool.arrivedAtMs[entity] = now;
    pool.next[entity] = -1;
    if (this.openSize === 0) {
      this.openHead = entity;
      sim.schedule(this.options.maxDelayMs, this.id, FLUSH, this.generation);
    } else {
      pool.next[this.openTail] = entity;
    }
    this.openTail = entity;
    this.openSize++;
    this.itemsQueued++;
    if (this.openSize >= this.options.maxBatch) this.flush(now);
  }

  handle(kind: number, arg: number): void {
    const now = this.context.sim.nowMs;
    if (kind === FLUSH) {
      // A timer of a batch that already flushed by size is stale.
      if (arg === this.generation && this.openSize > 0) {
        this.advance(now);
        this.flush(now);
      }
      return;
    }
    this.complete(arg, now);
  }

  resetStats(nowMs: number): void {
    this.advance(nowMs);
    this.stats.reset(nowMs, this.itemsQueued);
  }

  snapshot(nowMs: number): StationReplicationStats {
    this.advance(nowMs);
    return this.stats.snapshot(this.name, this.nominalServers, nowMs, true);
  }

  private advance(now: number): void {
    this.stats.advance(now, this.itemsQueued, this.busy, this.itemsInService);
  }

  private flush(now: number): void {
    const head = this.openHead;
    const size = this.openSize;
    this.generation = (this.generation + 1) | 0;
    this.openHead = -1;
    this.openTail = -1;
    this.openSize = 0;
    this.stats.batches++;
    this.stats.batchedItems += size;
    if (this.busy < this.nominalServers) {
      this.startBatch(head, size, now);
      return;
    }
    if (this.readyLength === this.readyHeads.length) this.growReady();
    const slot = (this.readyStart + this.readyLength) % this.readyHeads.length;
    this.readyHeads[slot] = head;
    this.readySizes[slot] = size;
    this.readyLength++;
  }

  private startBatch(head: number, size: number, now: number): void {
    const pool = this.context.pool;
    this.busy++;
    this.itemsQueued -= size;
    this.itemsInService += size;
    for (let entity = head; entity !== -1; entity = pool.next[entity]) {
      this.stats.wait.record(now - pool.arrivedAtMs[entity]);
    }
    const serviceMs = this.options.baseMs.sample(this.random) + this.options.perItemMs * size;
    this.context.sim.schedule(serviceMs, this.id, DONE, head);
  }

  private complete(head: number, now: number): void {
    const pool = this.context.pool;
    this.advance(now);
    this.busy--;
    let size = 0;
    for (let entity = head; entity !== -1; entity = pool.next[entity]) size++;
    this.itemsInService -= size;
    if (this.readyLength > 0) {
      const slot = this.readyStart;
      this.readyStart = (this.readyStart + 1) % this.readyHeads.length;
      this.readyLength--;
      this.startBatch(this.readyHeads[slot], this.readySizes[slot], now);
    }
    let entity = head;
    while (entity !== -1) {
      const following = pool.next[entity];
      this.stats.departures++;
      this.stats.sojourn.record(now - pool.arrivedAtMs[entity]);
      this.context.router.forward(entity, this.index);
      entity = following;
    }
  }

  private growReady(): void {
    const size = this.readyHeads.length * 2;
    const heads = new Int32Array(size);
    const sizes = new Int32Array(size);
    for (let offset = 0; offset < this.readyLength; offset++) {
      const slot = (this.readyStart + offset) % this.readyHeads.length;
      heads[offset] = this.readyHeads[slot];
      sizes[offset] = this.readySizes[slot];
    }
    this.readyHeads = heads;
    this.readySizes = sizes;
    this.readyStart = 0;
  }
}
