/**
 * How many k6 runners (TestRun `spec.parallelism`) a plan needs. A k6-operator runner is one pod with
 * one source IP, so it holds at most ~28,000 connections to one target address and port (the
 * ephemeral port range 32768–60999); 25,000 per runner leaves headroom.
 */
import type { LoadTestScenario } from '../loadgen/resolve-load.js';
import type { K6Plan } from './plan.js';

export const connectionsPerRunner = 25_000;

export interface PlannedParallelism {
  parallelism: number;
  source: string;
}

export function planParallelism(_scenario: LoadTestScenario, plan: K6Plan): PlannedParallelism {
  return {
    parallelism: Math.max(1, Math.ceil(plan.peakConnections / connectionsPerRunner)),
    source: `${plan.peakConnections.toLocaleString('en-US')} connections at ${connectionsPerRunner.toLocaleString('en-US')} per runner (one source IP per pod)`,
  };
}
