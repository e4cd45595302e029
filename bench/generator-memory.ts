/**
 * Generator memory at the hold of a load-generator bench: the summed RSS of the load-generator worker
 * processes (each worker's whole process tree, tsx's esbuild service included) at the moment the most
 * connections are open.
 *
 * Sampled only while the run is still sending, and only when every worker is alive. Once sending ends
 * each worker drains, closes and exits on its own schedule, but the live view keeps showing a finished
 * worker's last snapshot (all its connections still open). A sample taken then divides the RSS of the
 * workers still running by every worker's connections: that is how 6 workers holding ~1.5 GB were
 * reported at 2.5 KiB per VU (the last sample had one worker left, still draining).
 */
import { childrenByParent, commandLineOf, processTreeRss } from '../common/process-tree.js';
import type { LiveStats } from '../loadgen/outputs/live-stats.js';

export interface HoldSample {
  /** Summed RSS of the workers' process trees, bytes. */
  rss: number;
  open: number;
  workers: number;
}

/** RSS of the process tree of each child of this process whose command line contains `marker`. */
export function childTreeRss(marker: string, parent = process.pid): number[] {
  const children = childrenByParent();
  return (children.get(parent) ?? [])
    .filter((pid) => commandLineOf(pid).includes(marker))
    .map((pid) => processTreeRss(pid, children));
}

export interface HoldSampleOptions {
  /** Open connections from which the run counts as holding. */
  minOpen: number;
  /** Worker processes the run started: a sample needs all of them. */
  workers: number;
  /** RSS of each live worker (e.g. `() => childTreeRss('worker-process')`). */
  readRss: () => number[];
}

/** The hold sample after this live tick: a new one at as many open connections or more, else `previous`. */
export function sampleHold(
  previous: HoldSample | undefined,
  stats: Pick<LiveStats, 'elapsedMs' | 'durationMs' | 'openConnections'>,
  options: HoldSampleOptions,
): HoldSample | undefined {
  const open = stats.openConnections;
  if (stats.elapsedMs >= stats.durationMs || open < options.minOpen) return previous;
  if (previous !== undefined && open < previous.open) return previous;
  const perWorker = options.readRss();
  if (perWorker.length !== options.workers) return previous;
  return { rss: perWorker.reduce((sum, rss) => sum + rss, 0), open, workers: perWorker.length };
}
