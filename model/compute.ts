/**
 * One evaluation of the analytic model on a scenario whose numbers are all resolved. The order matters:
 * later formulas read metrics computed earlier (components may size against any of them, and the cost
 * total sums whatever costs exist).
 */
import type { Scenario } from '../scenarios/schema.js';
import { broadcastMetrics } from './broadcast.js';
import { componentMetrics } from './components.js';
import { ModelContext } from './context.js';
import { bandwidthMetrics, cachingMetrics, totalCostMetrics } from './costs.js';
import { policyMetrics } from './policies.js';
import type { ResolvedScenario } from './resolve.js';
import { storageMetrics, tieringMetrics } from './storage.js';
import { databaseMetrics, workloadMetrics } from './throughput.js';

export function computeMetrics(resolved: ResolvedScenario, raw: Scenario, explain: boolean): ModelContext {
  return computeInto(new ModelContext(explain), resolved, raw);
}

/** Evaluates the model into an existing context (Monte Carlo reuses one). */
export function computeInto<Context extends ModelContext>(
  ctx: Context,
  resolved: ResolvedScenario,
  raw: Scenario,
): Context {
  workloadMetrics(resolved, raw, ctx);
  databaseMetrics(resolved, ctx);
  policyMetrics(resolved, ctx);
  storageMetrics(resolved, ctx);
  tieringMetrics(resolved, ctx);
  cachingMetrics(resolved, ctx);
  bandwidthMetrics(resolved, ctx);
  broadcastMetrics(resolved, ctx);
  componentMetrics(resolved, raw, ctx);
  totalCostMetrics(resolved, ctx);
  return ctx;
}
