/**
 * Turns a scenario's `pipeline:` into a ResolvedPipeline for the slice: model-metric rates become
 * numbers, whole-system rates/clients/jobs are divided by the slice factor, `to:` becomes routes, and
 * every name is checked (mistakes throw CapsimError with the field path). Also solves the traffic
 * equations for the analytic utilization each station should show: λ_s = Σ_sources rate · visits_s,
 * ρ_s = Σ_classes λ_s,class · E[S_class] / c_s.
 */
import { CapsimError, type InputProblem } from '../../common/errors.js';
import { batching } from './closed-form.js';
import { createDistribution } from './distributions.js';
import type { PipelineSpec, RouteSpec } from './pipeline-schema.js';
import type { ResolvedPipeline, ResolvedRoute, ResolvedSource, ResolvedStation } from './resolved.js';
import { diurnalShape } from './sources.js';

export interface ResolveContext {
  /** Value of an analytic-model metric (per second for rates), or undefined when unknown. */
  metric: (id: string) => number | undefined;
  /** Known metric ids (for "did you mean" in errors). */
  metricIds: () => string[];
  /** The workload's peak factor (default for diurnal profiles). */
  peakFactor: number;
  file?: string;
}

function routesOf(
  spec: { to?: string; routes?: RouteSpec[] },
  path: string,
  problems: InputProblem[],
): ResolvedRoute[] {
  if (spec.to !== undefined && spec.routes !== undefined) {
    problems.push({ path, message: 'give either `to` or `routes`, not both' });
  }
  if (spec.routes !== undefined) {
    const total = spec.routes.reduce((sum, route) => sum + route.probability, 0);
    if (Math.abs(total - 1) > 1e-6) {
      problems.push({
        path: `${path}.routes`,
        message: 'route probabilities must add up to 1',
        expected: '1',
        found: String(total),
      });
    }
    return spec.routes.map((route) => ({ ...route }));
  }
  return [{ to: spec.to ?? 'exit', probability: 1 }];
}

export function resolvePipeline(spec: PipelineSpec, context: ResolveContext): ResolvedPipeline {
  const problems: InputProblem[] = [];
  const factor = spec.slice?.factor ?? 1;
  const stationNames = new Set<string>();
  spec.stations.forEach((station, index) => {
    if (stationNames.has(station.name))
      problems.push({
        path: `pipeline.stations.${index}.name`,
        message: `duplicate station "${station.name}"`,
      });
    stationNames.add(station.name);
  });
  const sinkNames = new Set(['exit', 'reconnected', ...(spec.sinks ?? []).map((sink) => sink.name)]);
  const targets = [...stationNames, ...sinkNames];
  const checkTargets = (routes: ResolvedRoute[], path: string) => {
    for (const route of routes) {
      if (!stationNames.has(route.to) && !sinkNames.has(route.to)) {
        problems.push({
          path,
          message: `unknown station or sink "${route.to}"`,
          expected: `one of ${targets.join(', ')}`,
          found: route.to,
        });
      }
    }
  };

  const sources: ResolvedSource[] = spec.sources.map((source, index) => {
    const path = `pipeline.sources.${index}`;
    const routes = routesOf(source, path, problems);
    checkTargets(routes, path);
    if (source.type === 'open') {
      let perSecond = 0;
      if (typeof source.rate === 'number') perSecond = source.rate;
      else {
        const value = context.metric(source.rate.metric);
        if (value === undefined) {
          problems.push({
            path: `${path}.rate.metric`,
            message: `unknown model metric "${source.rate.metric}"`,
            expected: 'a metric id of `capsim model <scenario> --json`',
            found: source.rate.metric,
          });
        } else perSecond = value * (source.rate.scale ?? 1);
      }
      const profile =
        source.profile === undefined || source.profile === 'constant'
          ? undefined
          : {
              peakFactor: source.profile.diurnal.peakFactor ?? context.peakFactor,
              startHour: source.profile.diurnal.startHour ?? 12,
            };
      return { name: source.name, type: 'open', ratePerSecond: perSecond / factor, profile, routes };
    }
    if (source.type === 'closed') {
      return {
        name: source.name,
        type: 'closed',
        clients: Math.max(1, Math.round(source.clients / factor)),
        thinkTime: source.thinkTime,
        jobsPerClient: source.jobsPerClient ?? Infinity,
        routes,
      };
    }
    return {
      name: source.name,
      type: 'burst',
      jobs: Math.max(1, Math.round(source.jobs / factor)),
      atMs: (source.atS ?? 0) * 1000,
      everyMs: source.everyS === undefined ? Infinity : source.everyS * 1000,
      routes,
    };
  });

  const sourceNames = new Set([
    ...spec.sources.map((source) => source.name),
    ...(spec.failures ?? [])
      .filter((failure) => failure.reconnect)
      .map((failure) => `reconnect-${failure.station}`),
  ]);
  const stations: ResolvedStation[] = spec.stations.map((station, index) => {
    const path = `pipeline.stations.${index}`;
    const routes = routesOf(station, path, problems);
    checkTargets(routes, path);
    checkTargets(
      (station.fanOut ?? []).map((to) => ({ to, probability: 1 })),
      `${path}.fanOut`,
    );
    if (station.type !== 'batch') {
      for (const name of Object.keys(station.serviceBySource ?? {})) {
        if (!sourceNames.has(name)) {
          problems.push({
            path: `${path}.serviceBySource.${name}`,
            message: `unknown source "${name}"`,
            expected: [...sourceNames].join(', '),
          });
        }
      }
    }
    return { ...station, routes } as ResolvedStation;
  });

  const failures = (spec.failures ?? []).map((failure, index) => {
    const path = `pipeline.failures.${index}`;
    if (!stationNames.has(failure.station))
      problems.push({ path: `${path}.station`, message: `unknown station "${failure.station}"` });
    if (failure.reconnect !== undefined && !stationNames.has(failure.reconnect.to)) {
      problems.push({ path: `${path}.reconnect.to`, message: `unknown station "${failure.reconnect.to}"` });
    }
    return {
      station: failure.station,
      atMs: failure.atS * 1000,
      durationMs: failure.durationS * 1000,
      servers: failure.servers,
      reconnect:
        failure.reconnect === undefined
          ? undefined
          : {
              clients: Math.max(1, Math.round(failure.reconnect.clients / factor)),
              to: failure.reconnect.to,
              backoff: { ...failure.reconnect.backoff, jitter: failure.reconnect.backoff.jitter ?? 1 },
            },
    };
  });

  if (problems.length > 0) {
    for (const problem of problems) problem.file ??= context.file;
    throw new CapsimError('E_PIPELINE', `the pipeline has ${problems.length} problem(s)`, { problems });
  }
  return {
    sliceFactor: factor,
    sliceUnit: spec.slice?.unit ?? 'the whole system',
    sources,
    stations,
    sinks: spec.sinks ?? [],
    failures,
  };
}

/** Mean of the diurnal shape over [startHour, startHour + duration] (1 for constant rates). */
function profileMean(
  profile: { peakFactor: number; startHour: number } | undefined,
  durationMs: number,
): number {
  if (profile === undefined) return 1;
  const shape = diurnalShape(profile.peakFactor);
  const steps = 1000;
  let sum = 0;
  for (let step = 0; step < steps; step++) {
    const hour = (profile.startHour + (((step + 0.5) / steps) * durationMs) / 3_600_000) % 24;
    sum += shape(hour);
  }
  return sum / steps;
}

/**
 * Analytic utilization of each station in the slice (null where the load is not stationary: burst
 * sources, failures, or a closed source whose throughput depends on queueing — those use the
 * no-queueing throughput N / (E[think] + Σ visits·E[S]) and are flagged approximate).
 */
export function analyticUtilizations(
  pipeline: ResolvedPipeline,
  durationMs: number,
): { utilization: (number | null)[]; approximate: boolean[] } {
  const index = new Map(pipeline.stations.map((station, position) => [station.name, position]));
  const count = pipeline.stations.length;
  const busyMs = new Float64Array(count); // Σ λ·E[S] per ms, per station
  const arrivalsPerMs = new Float64Array(count);
  const unknown = new Array<boolean>(count).fill(false);
  const approximate = new Array<boolean>(count).fill(false);
  for (const failure of pipeline.failures) {
    const position = index.get(failure.station);
    if (position !== undefined) unknown[position] = true;
    const reconnectTo = failure.reconnect === undefined ? undefined : index.get(failure.reconnect.to);
    if (reconnectTo !== undefined) unknown[reconnectTo] = true;
  }
  const meanService = (station: ResolvedStation, source: string): number => {
    if (station.type === 'batch') return 0;
    const spec = station.serviceBySource?.[source] ?? station.service;
    return createDistribution(spec).meanMs;
  };
  /** Visits per job of `source` to each station: propagate flow until it has left (≤ 200 hops). */
  const visits = (source: ResolvedSource): Float64Array => {
    const result = new Float64Array(count);
    let flow = new Map<string, number>();
    for (const route of source.routes) flow.set(route.to, (flow.get(route.to) ?? 0) + route.probability);
    for (let hop = 0; hop < 200 && flow.size > 0; hop++) {
      const next = new Map<string, number>();
      for (const [name, amount] of flow) {
        const position = index.get(name);
        if (position === undefined || amount < 1e-12) continue;
        result[position] += amount;
        for (const route of pipeline.stations[position].routes) {
          next.set(route.to, (next.get(route.to) ?? 0) + amount * route.probability);
        }
        for (const copy of pipeline.stations[position].fanOut ?? [])
          next.set(copy, (next.get(copy) ?? 0) + amount);
      }
      flow = next;
    }
    return result;
  };
  // Bursts first: a closed source whose jobs cross a burst-loaded station has no stationary throughput.
  const ordered = [...pipeline.sources].sort(
    (a, b) => Number(b.type === 'burst') - Number(a.type === 'burst'),
  );
  for (const source of ordered) {
    const v = visits(source);
    if (source.type === 'closed' && v.some((visitsHere, position) => visitsHere > 0 && unknown[position])) {
      v.forEach((visitsHere, position) => {
        if (visitsHere > 0) unknown[position] = true;
      });
      continue;
    }
    let perMs = 0;
    if (source.type === 'open')
      perMs = (source.ratePerSecond / 1000) * profileMean(source.profile, durationMs);
    else if (source.type === 'closed') {
      let responseMs = 0;
      v.forEach(
        (visitsHere, position) =>
          (responseMs += visitsHere * meanService(pipeline.stations[position], source.name)),
      );
      perMs = source.clients / (createDistribution(source.thinkTime).meanMs + responseMs);
      v.forEach((visitsHere, position) => {
        if (visitsHere > 0) approximate[position] = true;
      });
    } else {
      v.forEach((visitsHere, position) => {
        if (visitsHere > 0) unknown[position] = true;
      });
      continue;
    }
    v.forEach((visitsHere, position) => {
      arrivalsPerMs[position] += perMs * visitsHere;
      busyMs[position] += perMs * visitsHere * meanService(pipeline.stations[position], source.name);
    });
  }
  const utilization = pipeline.stations.map((station, position) => {
    if (unknown[position]) return null;
    if (station.type === 'batch') {
      const lambda = arrivalsPerMs[position];
      if (lambda <= 0) return 0;
      const shape = batching(lambda, station.maxBatch, station.maxDelayMs, 0, 0);
      const baseMs = createDistribution(station.baseMs).meanMs;
      return (shape.batchesPerMs * (baseMs + station.perItemMs * shape.meanBatchSize)) / station.servers;
    }
    return busyMs[position] / station.servers;
  });
  return { utilization, approximate };
}
