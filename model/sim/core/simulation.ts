/**
 * The simulation environment — capsim's whole documented DES core (everything else in model/sim/ is
 * built on these few calls, SimPy-style but without generators or per-event objects):
 *
 *   const sim = new Simulation(createRandom(seed));
 *   const id = sim.register({ handle(kind, arg) { … sim.schedule(5, id, KIND, arg); } });
 *   sim.schedule(0, id, START, 0);
 *   sim.run(60_000);             // advance the clock to 60 s, firing events in order
 *
 * - Time is a double in milliseconds (`sim.nowMs`).
 * - An event is (time, priority, target component, kind, integer argument): no closures, no objects;
 *   components keep their own state in typed arrays and interpret `kind`/`arg` in `handle`.
 * - Ties: lower priority first, then scheduling order (see EventQueue): identical runs for one seed.
 * - Events cannot be cancelled; a component that needs to ignore a stale event (a timeout whose job
 *   already started service) stamps the job and compares stamps when the event fires.
 * - Randomness only through `sim.random` (or forks of it); the core never reads a clock or does I/O.
 */
import type { Random } from '../../random.js';
import { EventQueue } from './event-queue.js';

/** Anything that receives events: stations, sources, samplers. */
export interface SimComponent {
  handle(kind: number, arg: number): void;
}

export class Simulation {
  /** Current simulated time in milliseconds. */
  nowMs = 0;
  /** Events fired so far (the benchmark's unit). */
  eventsFired = 0;
  readonly random: Random;
  private readonly queue: EventQueue;
  private readonly components: SimComponent[] = [];
  private stopped = false;

  constructor(random: Random, initialEventCapacity = 1024) {
    this.random = random;
    this.queue = new EventQueue(initialEventCapacity);
  }

  /** Adds a component and returns its id, the `target` of the events meant for it. */
  register(component: SimComponent): number {
    this.components.push(component);
    return this.components.length - 1;
  }

  /** Schedules `kind(arg)` for `target` after `delayMs` (≥ 0). Lower `priority` fires first on ties. */
  schedule(delayMs: number, target: number, kind: number, arg: number, priority = 0): void {
    this.queue.push(this.nowMs + delayMs, priority, target, kind, arg);
  }

  /** Schedules at an absolute time (clamped to now: the clock never runs backwards). */
  scheduleAt(timeMs: number, target: number, kind: number, arg: number, priority = 0): void {
    this.queue.push(timeMs > this.nowMs ? timeMs : this.nowMs, priority, target, kind, arg);
  }

  /** Pending events. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Makes `run` return after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Fires events in (time, priority, sequence) order until the next one is later than `untilMs`
   * (then the clock is set to `untilMs`), the list is empty, or `stop()` was called.
   */
  run(untilMs: number): void {
    const queue = this.queue;
    const components = this.components;
    this.stopped = false;
    let fired = 0;
    while (queue.size > 0 && queue.heapTime[0] <= untilMs) {
      const slot = queue.pop();
      this.nowMs = queue.poppedTime;
      fired++;
      components[queue.targets[slot]].handle(queue.kinds[slot], queue.args[slot]);
      if (this.stopped) break;
    }
    this.eventsFired += fired;
    if (!this.stopped && untilMs !== Infinity && this.nowMs < untilMs) this.nowMs = untilMs;
  }

  /** Bytes held by the event list (benchmark). */
  eventListBytes(): number {
    return this.queue.bytes();
  }
}
