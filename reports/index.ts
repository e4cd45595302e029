/** The report library: pure renderers of results to HTML, Markdown and JUnit, and their input types. */
export { buildReport, buildReportHtml, type BuildReportOptions } from './build.js';
export { buildMarkdown } from './markdown.js';
export { buildJunit } from './junit.js';
export {
  summarizeVerdict,
  evaluateRow,
  type Verdict,
  type VerdictSummary,
  type EvaluatedRow,
} from './verdict.js';
export { buildCharts, type ReportChart } from './charts/index.js';
export { renderSpecToSvg } from './svg.js';
export type * from './inputs.js';
export { assembleReportInput, type AssembleOptions } from './assemble.js';
export { adaptLoadTest } from './adapt-loadtest.js';
export { adaptModel, shortfallRows } from './adapt-model.js';
export { adaptSimulation } from './adapt-simulation.js';
export { calibrateConnections } from './calibrate.js';
export { buildReportFiles, type ReportFilesOptions, type ReportFilesResult } from './report-files.js';
export { writeModelReport, type ModelReportOptions } from './model-report.js';
export { runScenario, type RunOptions, type RunResult } from './run.js';
