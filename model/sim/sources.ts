/**
 * Where jobs come from:
 * - OpenSource: Poisson arrivals at a rate that is constant or follows a diurnal profile (by thinning:
 *   candidates at the peak rate λmax are kept with probability λ(t)/λmax — Lewis & Shedler 1979).
 * - ClosedSource: N clients, each with one job in flight; after it finishes (or fails) the client
 *   thinks for a sampled delay and starts the next, until it has done `jobsPerClient` jobs.
 * - BurstSource: `jobs` jobs at once at `atMs`, optionally repeated every `everyMs`.
 */
import type { Distribution } from './distributions.js';
import type { JobRouter, SimContext } from './context.js';
import type { SimComponent, Simulation } from './core/simulation.js';
import type { EntityPool } from './entity-pool.js';
import type { Random } from '../random.js';

const NEXT = 0;

export interface JobSource extends SimComponent {
  readonly name: string;
  created: number;
  completed: number;
  failed: number;
  lastCompletionMs: number;
  start(): void;
  /** A job of this source left the system (finished when `ok`, failed otherwise). */
  finished(entity: number, ok: boolean): void;
  resetStats(): void;
}

const DAY_MS = 86_400_000;

/**
 * Diurnal shape g(t) = α + β·((1 + cos(2π(h − 12)/24))/2)^k with mean 1 over a day and maximum equal to
 * the peak factor (at 12:00): β = (pf − 1)/(1 − m_k), α = pf − β, where m_k = C(2k, k)/4^k is the
 * daily mean of the cosine power; k is the smallest power that keeps the trough α ≥ 0.
 */
export function diurnalShape(peakFactor: number): (hourOfDay: number) => number {
  if (peakFactor <= 1) return () => 1;
  let k = 1;
  let meanPower = 0.5;
  while (meanPower > 1 / peakFactor) {
    k++;
    meanPower *= (2 * k - 1) / (2 * k);
  }
  const beta = (peakFactor - 1) / (1 - meanPower);
  const alpha = peakFactor - beta;
  return (hour) => alpha + beta * ((1 + Math.cos((2 * Math.PI * (hour - 12)) / 24)) / 2) ** k;
}

abstract class BaseSource implements JobSource {
  created = 0;
  completed = 0;
  failed = 0;
  lastCompletionMs = 0;
  readonly id: number;
  protected readonly random: Random;
  protected readonly sim: Simulation;
  protected readonly pool: EntityPool;
  protected readonly router: JobRouter;
  constructor(
    readonly name: string,
    readonly index: number,
    protected readonly context: SimContext,
  ) {
    this.sim = context.sim;
    this.pool = context.pool;
    this.router = context.router;
    this.random = context.sim.random.fork(`source:${name}`);
    this.id = context.sim.register(this);
  }
  abstract start(): void;
  abstract handle(kind: number, arg: number): void;
  protected emit(client: number): void {
    const entity = this.pool.allocate(this.sim.nowMs, this.index, client);
    this.created++;
    this.router.forward(entity, -1 - this.index);
  }
  finished(_entity: number, ok: boolean): void {
    if (ok) {
      this.completed++;
      this.lastCompletionMs = this.sim.nowMs;
    } else this.failed++;
  }
  resetStats(): void {
    this.created = 0;
    this.completed = 0;
    this.failed = 0;
  }
}

export class OpenSource extends BaseSource {
  private readonly meanGapMs: number;
  private readonly shape: ((hour: number) => number) | undefined;
  private readonly peakShape: number;
  private readonly startHour: number;

  constructor(
    name: string,
    index: number,
    context: SimContext,
    ratePerSecond: number,
    profile?: { peakFactor: number; startHour: number },
  ) {
    super(name, index, context);
    this.shape = profile === undefined ? undefined : diurnalShape(profile.peakFactor);
    this.peakShape = profile === undefined ? 1 : Math.max(1, profile.peakFactor);
    this.startHour = profile?.startHour ?? 0;
    // Candidates arrive at the peak rate; thinning keeps the right share.
    this.meanGapMs = ratePerSecond > 0 ? 1000 / (ratePerSecond * this.peakShape) : Infinity;
  }

  start(): void {
    if (this.meanGapMs < Infinity) this.scheduleNext();
  }

  handle(): void {
    this.emit(-1);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const sim = this.sim;
    let delayMs = -this.meanGapMs * Math.log(1 - this.random.next());
    if (this.shape !== undefined) {
      for (;;) {
        const hour = (((((sim.nowMs + delayMs) % DAY_MS) / 3_600_000 + this.startHour) % 24) + 24) % 24;
        if (this.random.next() * this.peakShape < this.shape(hour)) break;
        delayMs += -this.meanGapMs * Math.log(1 - this.random.next());
      }
    }
    sim.schedule(delayMs, this.id, NEXT, 0);
  }
}

export class ClosedSource extends BaseSource {
  private readonly jobsDone: Int32Array;

  constructor(
    name: string,
    index: number,
    context: SimContext,
    private readonly clients: number,
    private readonly thinkTime: Distribution,
    private readonly jobsPerClient: number,
  ) {
    super(name, index, context);
    this.jobsDone = new Int32Array(clients);
  }

  start(): void {
    // Each client starts after one think time: clients are independent, not synchronized.
    for (let client = 0; client < this.clients; client++) {
      this.sim.schedule(this.thinkTime.sample(this.random), this.id, NEXT, client);
    }
  }

  handle(_kind: number, client: number): void {
    this.emit(client);
  }

  override finished(entity: number, ok: boolean): void {
    super.finished(entity, ok);
    const client = this.pool.client[entity];
    if (++this.jobsDone[client] < this.jobsPerClient) {
      this.sim.schedule(this.thinkTime.sample(this.random), this.id, NEXT, client);
    }
  }
}

export class BurstSource extends BaseSource {
  constructor(
    name: string,
    index: number,
    context: SimContext,
    private readonly jobs: number,
    private readonly atMs: number,
    private readonly everyMs: number,
  ) {
    super(name, index, context);
  }

  start(): void {
    this.sim.scheduleAt(this.atMs, this.id, NEXT, 0);
  }

  handle(): void {
    for (let job = 0; job < this.jobs; job++) this.emit(-1);
    if (this.everyMs < Infinity) this.sim.schedule(this.everyMs, this.id, NEXT, 0);
  }
}

/**
 * Clients cut off by a failure reconnect: at `atMs`, each of `clients` clients tries again after
 * baseMs·(1 − jitter·U) (the first step of exponential backoff with jitter); the station they reach
 * applies its own timeout/retry policy to later attempts. Reconnect jobs leave after that station.
 */
export class ReconnectSource extends BaseSource {
  constructor(
    name: string,
    index: number,
    context: SimContext,
    private readonly clients: number,
    private readonly atMs: number,
    private readonly backoff: { baseMs: number; maxMs: number; jitter: number },
  ) {
    super(name, index, context);
  }

  start(): void {
    this.sim.scheduleAt(this.atMs, this.id, 0, 0);
  }

  handle(kind: number): void {
    if (kind === 1) {
      this.emit(-1);
      return;
    }
    const firstMs = Math.min(this.backoff.baseMs, this.backoff.maxMs);
    for (let client = 0; client < this.clients; client++) {
      this.sim.schedule(firstMs * (1 - this.backoff.jitter * this.random.next()), this.id, 1, 0);
    }
  }
}
