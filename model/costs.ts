/**
 * Caching, network transfer and the monthly bill.
 *   database fraction = 1 − last layer's cumulative hit ratio;  load reduction = 1 ÷ database fraction
 *   conditional hit ratio of layer k = (H_k − H_{k−1}) ÷ (1 − H_{k−1})
 *   bandwidth TB/day = messages/day × bytes per message ÷ 10^12;  cost = TB/day × days per month × price
 *   total = Σ component costs + fixed line items + bandwidth
 */
import type { ModelContext } from './context.js';
import { metricId } from './ids.js';
import { formatNumber as n } from './format.js';
import type { ResolvedScenario } from './resolve.js';

export function cachingMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const layers = s.caching?.layers;
  if (layers === undefined || layers.length === 0) return;
  let previous = 0;
  for (const layer of layers) {
    const before = previous;
    const hit = layer.cumulativeHitRatio;
    ctx.set(
      metricId('caching.', layer.name, '.conditionalHitRatio'),
      'fraction',
      before >= 1 ? 0 : (hit - before) / (1 - before),
      ctx.explain && (() => `(cumulative ${n(hit)} − previous ${n(before)}) ÷ (1 − ${n(before)})`),
    );
    previous = hit;
  }
  const last = layers[layers.length - 1];
  const fraction = ctx.set(
    'caching.databaseFraction',
    'fraction',
    1 - last.cumulativeHitRatio,
    ctx.explain && (() => `1 − ${last.name} cumulative hit ratio = 1 − ${n(last.cumulativeHitRatio)}`),
  );
  if (fraction > 0)
    ctx.set(
      'caching.databaseLoadReduction',
      '×',
      1 / fraction,
      ctx.explain && (() => `1 ÷ caching.databaseFraction = 1 ÷ ${n(fraction)}`),
    );
  const reads = ctx.get('database.readsPerSecond');
  if (reads !== undefined)
    ctx.set(
      'caching.databaseReadsPerSecond',
      'reads/s',
      reads * fraction,
      ctx.explain &&
        (() => `database.readsPerSecond × caching.databaseFraction = ${n(reads)} × ${n(fraction)}`),
    );
}

export function bandwidthMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const bandwidth = s.bandwidth;
  const perDay = ctx.get('messages.perDay.avg');
  if (bandwidth === undefined || perDay === undefined) return;
  const bytes = bandwidth.bytesPerMessage;
  const terabytes = ctx.set(
    'bandwidth.perDayTB',
    'TB/day',
    (perDay * bytes) / 1e12,
    ctx.explain &&
      (() => `messages.perDay.avg × bytesPerMessage ÷ 10^12 = ${n(perDay)} × ${n(bytes)} ÷ 10^12`),
  );
  ctx.set(
    'bandwidth.averageGbps',
    'Gbps',
    (terabytes * 8e12) / 86_400 / 1e9,
    ctx.explain &&
      (() => `bandwidth.perDayTB × 8 × 10^12 bit ÷ 86,400 s ÷ 10^9 = ${n(terabytes)} × 8,000 ÷ 86,400`),
  );
  const days = bandwidth.daysPerMonth ?? 30;
  const price = bandwidth.pricePerTBUSD;
  ctx.setCost(
    'costs.bandwidthPerMonthUSD',
    terabytes * days * price,
    ctx.explain &&
      (() =>
        `bandwidth.perDayTB × daysPerMonth × pricePerTBUSD = ${n(terabytes)} × ${n(days)} × ${n(price)}`),
  );
}

/** Sums every monthly cost computed so far (run after components, tiering and bandwidth). */
export function totalCostMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  for (const [name, amount] of Object.entries(s.costs?.fixedPerMonthUSD ?? {}))
    ctx.setCost(metricId('costs.fixed.', name, ''), amount, ctx.explain && (() => 'input'));
  const parts = ctx.costs;
  if (parts.length === 0) return;
  ctx.set(
    'costs.totalPerMonthUSD',
    'USD/month',
    parts.reduce((sum, [, value]) => sum + value, 0),
    ctx.explain &&
      (() => `${parts.map(([id]) => id).join(' + ')} = ${parts.map(([, value]) => n(value)).join(' + ')}`),
  );
}
