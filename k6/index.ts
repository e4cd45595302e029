/** The k6 export (script, k6-operator TestRun, README) and the k6 summary import. */
export { buildK6Export, writeK6Export, type K6Export, type K6ExportRequest } from './export.js';
export { buildK6Plan, type K6Plan, type K6ExportOptions, type ScriptPlan } from './plan.js';
export { buildK6Script } from './build-script.js';
export { transpileK6Script } from './transpile.js';
export {
  buildTestRunManifest,
  runnerResources,
  defaultRunnerSizing,
  type RunnerSizing,
  type ManifestOptions,
} from './manifest.js';
export {
  translateThresholds as translateThresholdsToK6,
  type K6Threshold,
  type ThresholdTranslation,
} from './thresholds.js';
export { importK6Summary, importK6Instances, isK6Summary } from './import.js';
export { readSummaries as readK6Summaries, type K6InstanceSummary } from './summary-input.js';
export { typecheckK6Script, typecheckK6Scripts, type ScriptDiagnostic } from './typecheck.js';
