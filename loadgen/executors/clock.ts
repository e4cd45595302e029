/**
 * The generator's clock: epoch milliseconds that never jump (performance.timeOrigin + performance.now()),
 * so an NTP step during a run cannot bend latencies. All timestamps of one process come from here.
 */
import { performance } from 'node:perf_hooks';

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
