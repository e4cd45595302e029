/** The discrete-event simulation's public API (re-exported from the package root). */
export {
  simulateScenario,
  type SimulateOptions,
  type SimulationResult,
  type StationResult,
  type SinkResult,
  type SourceResult,
  type SloCheck,
  type LatencyEstimates,
} from './simulate-scenario.js';
export { runSimValidation, type SimValidationCase, type SimValidationOptions } from './validation.js';
export { closeWorkerPool } from './worker-pool.js';
export { createRandom, type Random } from '../random.js';
export type { Estimate } from './estimate.js';
export { pipelineSchema, type PipelineSpec } from './pipeline-schema.js';
