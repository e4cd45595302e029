/** Messages between `startCluster` (parent) and one gateway instance process (instance-main.ts). */
import type { ServerOptions } from '../options.js';

export interface InstanceStartOptions {
  server: ServerOptions;
  instanceId: string;
  redisUrl: string;
  postgresUrl: string;
  shards: number;
  keyPrefix: string;
  pgPoolSize?: number;
}

export type ParentMessage =
  | { type: 'start'; options: InstanceStartOptions }
  | { type: 'close' }
  | { type: 'call'; id: number; method: 'runMaintenance' | 'replayDeadLetters'; limit?: number };

export type ChildMessage =
  | { type: 'ready'; url: string; wsUrl: string; port: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'closed' }
  | { type: 'result'; id: number; value?: unknown; error?: string };
