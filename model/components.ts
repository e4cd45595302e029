/**
 * Fleet sizing of each component (a tier of identical units: servers, shards, nodes):
 *   units required = ⌈demand ÷ (capacity per unit × target utilization)⌉
 *   instances = units × (1 + replicas per unit);  capacity = units × capacity per unit
 *   utilization = demand ÷ capacity;  shortfall = demand ÷ (units deployed today × capacity per unit)
 *   resources and cost = instances × per-instance figure
 * With `queueing:`, each unit is also treated as one M/M/c server (rate = capacity per unit) and sized
 * by Erlang C and by square-root staffing, for comparison with the document's division.
 */
import type { Scenario } from '../scenarios/schema.js';
import type { ModelContext } from './context.js';
import { metricId } from './ids.js';
import { formatNumber as n } from './format.js';
import { halfinWhittBeta, requiredServers, squareRootStaffing } from './queueing.js';
import type { Resolved, ResolvedScenario } from './resolve.js';
import type { Component } from '../scenarios/schema.js';

/** ⌈x⌉ that ignores floating-point dust (5,000.0000000001 → 5,000). */
export function ceilUnits(value: number): number {
  return Math.ceil(value - 1e-9 * Math.max(1, Math.abs(value)));
}

/** The metric ids of one component, built once per name (Monte Carlo reuses them on every sample). */
const componentSuffixes = [
  'capacity',
  'costPerMonthUSD',
  'cpuCores',
  'demand',
  'erlangC.meanWaitMs',
  'erlangC.unitsRequired',
  'erlangC.utilization',
  'erlangC.waitProbability',
  'improvementFactor',
  'instances',
  'memoryGB',
  'memoryTB',
  'networkGbps',
  'networkTbps',
  'replicas',
  'shortfall',
  'sqrtStaffing.unitsRequired',
  'units',
  'unitsRequired',
  'unitsRequiredImproved',
  'utilization',
] as const;
type ComponentIds = Record<string, string> & {
  [K in (typeof componentSuffixes)[number] as K extends `${infer A}.${infer B}` ? `${A}_${B}` : K]: string;
};
const idCache = new Map<string, ComponentIds>();
function componentIds(name: string): ComponentIds {
  let ids = idCache.get(name);
  if (ids === undefined) {
    const built: Record<string, string> = {};
    for (const suffix of componentSuffixes) built[suffix.replace('.', '_')] = `components.${name}.${suffix}`;
    ids = built as ComponentIds;
    idCache.set(name, ids);
  }
  return ids;
}

export function componentMetrics(s: ResolvedScenario, raw: Scenario, ctx: ModelContext): void {
  for (const [name, component] of Object.entries(s.components ?? {})) {
    sizeComponent(name, component, raw.components?.[name]?.demand, ctx);
  }
}

function sizeComponent(name: string, c: Resolved<Component>, rawDemand: unknown, ctx: ModelContext): void {
  const id = metricId('components.', name, '');
  const ids = componentIds(name);
  const unit = c.demandUnit ?? 'units of demand';
  let demand: number | undefined;
  if (typeof c.demand === 'string') {
    const ref = c.demand;
    const value = ctx.require(ref, `${id}.demand`);
    demand = ctx.set(ids.demand, unit, value, ctx.explain && (() => `${ref} = ${n(value)}`));
  } else if (typeof c.demand === 'number') {
    demand = ctx.set(
      ids.demand,
      unit,
      c.demand,
      ctx.explain && (() => (typeof rawDemand === 'number' ? 'input' : `input (range midpoint)`)),
    );
  }
  const perUnit = c.capacityPerUnit;
  const target = c.targetUtilization ?? 1;
  let required: number | undefined;
  if (demand !== undefined && perUnit !== undefined && perUnit > 0) {
    const d = demand;
    required = ctx.set(
      ids.unitsRequired,
      'units',
      ceilUnits(d / (perUnit * target)),
      ctx.explain &&
        (() =>
          target === 1
            ? `⌈${id}.demand ÷ capacityPerUnit⌉ = ⌈${n(d)} ÷ ${n(perUnit)}⌉`
            : `⌈demand ÷ (capacityPerUnit × targetUtilization)⌉ = ⌈${n(d)} ÷ (${n(perUnit)} × ${n(target)})⌉`),
    );
    const improved = c.improvedCapacityPerUnit;
    if (improved !== undefined && improved > 0) {
      ctx.set(
        ids.unitsRequiredImproved,
        'units',
        ceilUnits(d / (improved * target)),
        ctx.explain &&
          (() =>
            `⌈${id}.demand ÷ improvedCapacityPerUnit⌉ = ⌈${n(d)} ÷ ${n(improved)}${target === 1 ? '' : ` × ${n(target)}`}⌉`),
      );
    }
    if (c.unitsDeployed !== undefined && c.unitsDeployed > 0) {
      const deployed = c.unitsDeployed;
      ctx.set(
        ids.shortfall,
        '×',
        d / (deployed * perUnit),
        ctx.explain &&
          (() =>
            `${id}.demand ÷ (unitsDeployed × capacityPerUnit) = ${n(d)} ÷ (${n(deployed)} × ${n(perUnit)})`),
      );
    }
  }
  if (perUnit !== undefined && c.improvedCapacityPerUnit !== undefined && perUnit > 0) {
    const improved = c.improvedCapacityPerUnit;
    ctx.set(
      ids.improvementFactor,
      '×',
      improved / perUnit,
      ctx.explain && (() => `improvedCapacityPerUnit ÷ capacityPerUnit = ${n(improved)} ÷ ${n(perUnit)}`),
    );
  }

  // The fleet: a fixed count, a product of factors, or what the demand requires.
  let units: number | undefined;
  if (c.units !== undefined) {
    const fixed = c.units;
    units = ctx.set(ids.units, 'units', fixed, ctx.explain && (() => 'input'));
  } else if (c.unitsFactors !== undefined) {
    const factors = Object.entries(c.unitsFactors);
    const product = factors.reduce((total, [, value]) => total * value, 1);
    units = ctx.set(
      ids.units,
      'units',
      product,
      ctx.explain &&
        (() =>
          `${factors.map(([key]) => key).join(' × ')} = ${factors.map(([, value]) => n(value)).join(' × ')}`),
    );
  } else if (required !== undefined) {
    const r = required;
    units = ctx.set(ids.units, 'units', r, ctx.explain && (() => `${id}.unitsRequired = ${n(r)}`));
  }
  if (units === undefined) return;
  const u = units;
  const replicasPerUnit = c.replicasPerUnit ?? 0;
  const replicas = ctx.set(
    ids.replicas,
    'instances',
    u * replicasPerUnit,
    ctx.explain && (() => `${id}.units × replicasPerUnit = ${n(u)} × ${n(replicasPerUnit)}`),
  );
  const instances = ctx.set(
    ids.instances,
    'instances',
    u + replicas,
    ctx.explain && (() => `${id}.units + ${id}.replicas = ${n(u)} + ${n(replicas)}`),
  );
  if (perUnit !== undefined) {
    const capacity = ctx.set(
      ids.capacity,
      unit,
      u * perUnit,
      ctx.explain && (() => `${id}.units × capacityPerUnit = ${n(u)} × ${n(perUnit)}`),
    );
    if (demand !== undefined && capacity > 0) {
      const d = demand;
      ctx.set(
        ids.utilization,
        'fraction',
        d / capacity,
        ctx.explain && (() => `${id}.demand ÷ ${id}.capacity = ${n(d)} ÷ ${n(capacity)}`),
      );
    }
  }
  resourceMetrics(id, ids, c, instances, ctx);
  if (c.unitCostPerMonthUSD !== undefined) {
    const price = c.unitCostPerMonthUSD;
    ctx.setCost(
      ids.costPerMonthUSD,
      instances * price,
      ctx.explain && (() => `${id}.instances × unitCostPerMonthUSD = ${n(instances)} × ${n(price)}`),
    );
  }
  if (c.queueing !== undefined && demand !== undefined && perUnit !== undefined && perUnit > 0) {
    queueingMetrics(id, ids, demand, perUnit, c.queueing, ctx);
  }
}

function resourceMetrics(
  id: string,
  ids: ComponentIds,
  c: Resolved<Component>,
  instances: number,
  ctx: ModelContext,
): void {
  const per = c.perUnit;
  if (per === undefined) return;
  if (per.cpuCores !== undefined) {
    const cores = per.cpuCores;
    ctx.set(
      ids.cpuCores,
      'cores',
      instances * cores,
      ctx.explain && (() => `${id}.instances × cpuCores = ${n(instances)} × ${n(cores)}`),
    );
  }
  if (per.memoryGB !== undefined) {
    const gb = per.memoryGB;
    const total = ctx.set(
      ids.memoryGB,
      'GB',
      instances * gb,
      ctx.explain && (() => `${id}.instances × memoryGB = ${n(instances)} × ${n(gb)}`),
    );
    ctx.set(
      ids.memoryTB,
      'TB',
      total / 1000,
      ctx.explain && (() => `${id}.memoryGB ÷ 1,000 = ${n(total)} ÷ 1,000`),
    );
  }
  if (per.networkGbps !== undefined) {
    const gbps = per.networkGbps;
    const total = ctx.set(
      ids.networkGbps,
      'Gbps',
      instances * gbps,
      ctx.explain && (() => `${id}.instances × networkGbps = ${n(instances)} × ${n(gbps)}`),
    );
    ctx.set(
      ids.networkTbps,
      'Tbps',
      total / 1000,
      ctx.explain && (() => `${id}.networkGbps ÷ 1,000 = ${n(total)} ÷ 1,000`),
    );
  }
}

function queueingMetrics(
  id: string,
  ids: ComponentIds,
  demand: number,
  perUnit: number,
  q: NonNullable<Resolved<Component>['queueing']>,
  ctx: ModelContext,
): void {
  const target = {
    waitProbability: q.targetWaitProbability,
    meanWaitSeconds: q.targetMeanWaitMs === undefined ? undefined : q.targetMeanWaitMs / 1000,
  };
  if (target.waitProbability === undefined && target.meanWaitSeconds === undefined) return;
  const result = requiredServers(demand, perUnit, target);
  const targetText = (): string =>
    [
      q.targetWaitProbability !== undefined ? `P(wait) ≤ ${n(q.targetWaitProbability)}` : '',
      q.targetMeanWaitMs !== undefined ? `mean wait ≤ ${n(q.targetMeanWaitMs)} ms` : '',
    ]
      .filter(Boolean)
      .join(' and ');
  ctx.set(
    ids.erlangC_unitsRequired,
    'units',
    result.servers,
    ctx.explain &&
      (() =>
        `smallest c with ${targetText()} in M/M/c, λ = ${n(demand)}/s, μ = ${n(perUnit)}/s per unit (a = ${n(demand / perUnit)})`),
  );
  ctx.set(
    ids.erlangC_waitProbability,
    'probability',
    result.waitProbability,
    ctx.explain && (() => `ErlangC(c = ${result.servers}, a = ${n(demand / perUnit)})`),
  );
  ctx.set(
    ids.erlangC_meanWaitMs,
    'ms',
    result.meanWaitSeconds * 1000,
    ctx.explain &&
      (() =>
        `C ÷ (c·μ − λ) = ${n(result.waitProbability)} ÷ (${result.servers} × ${n(perUnit)} − ${n(demand)}) × 1,000`),
  );
  ctx.set(
    ids.erlangC_utilization,
    'fraction',
    result.utilization,
    ctx.explain && (() => `a ÷ c = ${n(demand / perUnit)} ÷ ${result.servers}`),
  );
  if (q.targetWaitProbability !== undefined && q.targetWaitProbability > 0 && q.targetWaitProbability < 1) {
    const beta = halfinWhittBeta(q.targetWaitProbability);
    const offered = demand / perUnit;
    ctx.set(
      ids.sqrtStaffing_unitsRequired,
      'units',
      squareRootStaffing(offered, beta),
      ctx.explain &&
        (() =>
          `⌈a + β√a⌉ = ⌈${n(offered)} + ${n(beta)} × √${n(offered)}⌉ (Halfin–Whitt β for P(wait) ${n(q.targetWaitProbability ?? 0)})`),
    );
  }
}
