/** capsim's programmatic API: the CLI is a thin layer over these exports. */
export { CapsimError, ExitCode, formatError, type InputProblem } from './common/errors.js';
export { loadScenario, loadScenarioSync, applyOverrides, type LoadOptions } from './scenarios/load.js';
export { scenarioSchema, type Scenario } from './scenarios/schema.js';
export { pointValue, quantityBounds, type Quantity } from './scenarios/quantity.js';
export { evaluateModel, type ModelOptions, type ModelResult } from './model/evaluate.js';
export type { Metric } from './model/context.js';
export type { CheckResult } from './model/checks.js';
export type { SensitivityRanking, SensitivityInput } from './model/sensitivity.js';
export { parseSweep, type SweepResult, type SweepSpec } from './model/sweep.js';
export { metricStatus, type MetricStatus } from './model/render-text.js';
export * from './model/sim/index.js';
export * from './reports/index.js';
export {
  startServer,
  signToken,
  verifyToken,
  type RunningServer,
  type ServerOptions,
  type ServerProfile,
  type TokenPayload,
} from './reference-server/index.js';
export {
  startCluster,
  type StartClusterOptions,
  type RunningClusterInstances,
} from './reference-server/cluster/index.js';
export * from './k6/index.js';
export {
  runLoadTest,
  loadSchema,
  loadTestResultSchema,
  LOADTEST_RESULT_VERSION,
  parseThreshold,
  evaluateThresholds,
  type LoadTestOptions,
  type LoadTestResult,
  type LoadSpec,
  type LiveStats,
  type Threshold,
  type ThresholdVerdict,
  type ProtocolAdapter,
} from './loadgen/index.js';
export { planFleet, renderPlan, type FleetPlan, type PlanOptions } from './loadgen/plan.js';
export { findCapacity, type CapacityResult, type CapacityStep } from './loadgen/find-capacity.js';
