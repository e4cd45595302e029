/**
 * A pipeline with every reference resolved to numbers for the slice (metric rates divided by the slice
 * factor, seconds turned into ms, `to:` turned into routes). Plain JSON, so it crosses worker threads.
 */
import type { DistributionSpec } from './distributions.js';
import type { SinkSpec, StationSpec } from './pipeline-schema.js';

export interface ResolvedRoute {
  to: string;
  probability: number;
}

interface SourceCommon {
  name: string;
  routes: ResolvedRoute[];
}

export type ResolvedSource =
  | (SourceCommon & {
      type: 'open';
      ratePerSecond: number;
      profile?: { peakFactor: number; startHour: number };
    })
  | (SourceCommon & { type: 'closed'; clients: number; thinkTime: DistributionSpec; jobsPerClient: number })
  | (SourceCommon & { type: 'burst'; jobs: number; atMs: number; everyMs: number });

export interface ResolvedFailure {
  station: string;
  atMs: number;
  durationMs: number;
  servers: number;
  reconnect?: { clients: number; to: string; backoff: { baseMs: number; maxMs: number; jitter: number } };
}

export type ResolvedStation = StationSpec & { routes: ResolvedRoute[] };

export interface ResolvedPipeline {
  sliceFactor: number;
  sliceUnit: string;
  sources: ResolvedSource[];
  stations: ResolvedStation[];
  sinks: SinkSpec[];
  failures: ResolvedFailure[];
}

export interface ReplicationOptions {
  seed: number;
  replication: number;
  durationMs: number;
  warmupMs: number;
  /** Points of the backlog time series. */
  backlogSamples: number;
}
