/** LOADGEN's `--find-capacity` document (`capsim.capacity`) → the report's capacity view. */
import type { CapacityResult } from '../loadgen/find-capacity.js';
import type { LoadTestResult } from '../loadgen/outputs/result-schema.js';
import type { ReportCapacity } from './inputs.js';

export function adaptCapacity(result: CapacityResult): ReportCapacity {
  return {
    mode: result.mode,
    maxSustainableMessagesPerSecond: result.maxSustainableMessagesPerSecond,
    maxSustainableConnections: result.maxSustainableConnections,
    limitedByGenerator: result.limitedByGenerator,
    steps: result.steps.map((step) => ({
      step: step.step,
      users: step.users,
      offeredMessagesPerSecond: step.offeredMessagesPerSecond,
      ackedMessagesPerSecond: step.ackedMessagesPerSecond,
      maxOpenConnections: step.maxOpenConnections,
      ackP99Ms: step.ackP99Ms,
      deliveryP99Ms: step.deliveryP99Ms,
      pass: step.passed,
      failed: step.failed,
    })),
  };
}

/** The run of the last step that met every threshold (the capacity), else the first step's. */
export function capacityRun(result: CapacityResult): LoadTestResult | undefined {
  let chosen: LoadTestResult | undefined = result.results[0];
  result.steps.forEach((step, index) => {
    if (step.passed && result.results[index] !== undefined) chosen = result.results[index];
  });
  return chosen;
}
