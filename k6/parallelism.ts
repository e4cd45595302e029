/**
 * How many k6 runners (TestRun `spec.parallelism`) an export needs: the load-generator hosts of the
 * scale plan (`planFleet`, loadgen/plan.ts, the same figure `capsim plan` prints), one k6 runner pod
 * per generator host. For a smaller export (`--scale scenario`, `--slice`) the plan's host count is
 * scaled by the exported share of the full-scale connections or peak message rate, whichever is larger:
 *   parallelism = max(1, ⌈hosts × max(connections / full connections, peak rate / full peak rate)⌉)
 * Without full-scale figures in the scenario, 25,000 connections per runner (a pod has one source IP:
 * ~28,000 ephemeral ports per target address and port).
 */
import { planFleet, type PlanScenario } from '../loadgen/plan.js';
import type { LoadTestScenario } from '../loadgen/resolve-load.js';
import type { K6Plan } from './plan.js';

export const connectionsPerRunner = 25_000;

/** A pod has one source IP: about this many connections to one target address and port. */
export const portsPerRunnerAddress = 28_000;

export type K6Scenario = LoadTestScenario & PlanScenario;

export interface PlannedParallelism {
  parallelism: number;
  source: string;
}

export function planParallelism(scenario: K6Scenario, plan: K6Plan): PlannedParallelism {
  const fleet = planFleet(scenario);
  const fullConnections = fleet.fullScale.connections;
  const fullRate = fleet.fullScale.peakMessagesPerSecond;
  if (fullConnections <= 0) {
    return {
      parallelism: Math.max(1, Math.ceil(plan.peakConnections / connectionsPerRunner)),
      source: `no full-scale figures in the scenario: ${plan.peakConnections.toLocaleString('en-US')} connections at ${connectionsPerRunner.toLocaleString('en-US')} per runner`,
    };
  }
  const hosts = fleet.generator.hosts;
  if (plan.scale === 'full') {
    return {
      parallelism: hosts,
      source: `one runner per load-generator host of the scale plan (capsim plan ${fleet.scenario}: ${hosts} hosts for ${fullConnections.toLocaleString('en-US')} connections)`,
    };
  }
  const share = Math.max(
    plan.peakConnections / fullConnections,
    fullRate > 0 ? plan.peakMessagesPerSecond / fullRate : 0,
  );
  return {
    parallelism: Math.max(1, Math.ceil(hosts * share)),
    source: `the scale plan's ${hosts} generator hosts × this export's share of the full-scale load (${(share * 100).toPrecision(3)}%)`,
  };
}
