/** Plain-text rendering of a SimulationResult (pure): stations, sinks, sources and the SLO verdict. */
import type { Estimate } from './estimate.js';
import type { SimulationResult } from './simulate-scenario.js';

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return value.toExponential(2);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return '0';
  return value.toPrecision(2);
}

function withCi(value: Estimate): string {
  const half = (value.ciHigh - value.ciLow) / 2;
  return half > 0 ? `${number(value.mean)} ±${number(half)}` : number(value.mean);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function renderSimulationText(result: SimulationResult): string {
  const lines: string[] = [];
  lines.push(
    `${result.scenario}: ${result.replications} replications × ${result.durationS} s simulated (warm-up ${result.warmupS} s), seed ${result.seed}`,
  );
  lines.push(
    `slice: 1/${result.slice.factor} of the system — ${result.slice.unit}; figures are means ± 95 % CI half-width`,
  );
  lines.push('');
  lines.push(
    ...table(
      [
        'station',
        'servers',
        'utilization',
        'analytic',
        'queue mean',
        'queue max',
        'wait p95 ms',
        'sojourn p50/p95/p99 ms',
        'thru/s',
        'drops',
      ],
      result.stations.map((station) => [
        station.name,
        String(station.servers),
        withCi(station.utilization),
        station.analyticUtilization === null
          ? '—'
          : `${number(station.analyticUtilization)}${station.utilizationConsistent === false ? ' ≠' : ''}${station.analyticApproximate ? ' ~' : ''}`,
        withCi(station.meanQueueLength),
        String(station.maxQueueLength),
        number(station.wait.p95Ms.mean),
        `${number(station.sojourn.p50Ms.mean)}/${number(station.sojourn.p95Ms.mean)}/${number(station.sojourn.p99Ms.mean)}`,
        number(station.throughputPerSecond.mean),
        number(station.drops.mean),
      ]),
    ),
  );
  lines.push('');
  lines.push(
    ...table(
      ['end to end', 'per second (slice)', 'fleet/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      [
        ...result.sinks.map((sink) => [
          sink.name,
          withCi(sink.perSecond),
          number(sink.fleetPerSecond.mean),
          number(sink.latency.p50Ms.mean),
          withCi(sink.latency.p95Ms),
          withCi(sink.latency.p99Ms),
          number(sink.latency.maxMs),
        ]),
        ...(result.ack === null
          ? []
          : [
              [
                'ack',
                '',
                '',
                number(result.ack.p50Ms.mean),
                withCi(result.ack.p95Ms),
                withCi(result.ack.p99Ms),
                number(result.ack.maxMs),
              ],
            ]),
      ],
    ),
  );
  lines.push('');
  lines.push(
    ...table(
      ['source', 'completed/s', 'failed', 'last completion s'],
      result.sources.map((source) => [
        source.name,
        withCi(source.completedPerSecond),
        number(source.failed.mean),
        number(source.lastCompletionS.mean),
      ]),
    ),
  );
  lines.push('');
  if (result.slo.checks.length === 0) lines.push('SLO: none declared for this pipeline');
  for (const check of result.slo.checks) {
    const mark = check.pass ? (check.confident ? 'pass' : 'pass (CI crosses the target)') : 'FAIL';
    lines.push(
      `SLO ${check.objective} ${check.percentile} ≤ ${check.targetMs} ms at ${check.sink}: ${withCi(check.simulatedMs)} ms → ${mark}`,
    );
  }
  if (result.slo.checks.length > 0) lines.push(`verdict: ${result.slo.verdict.toUpperCase()}`);
  lines.push(
    '(analytic: λ·E[S]/c from the model’s offered load; ~ approximate (closed loop), ≠ outside the CI)',
  );
  return lines.join('\n');
}
