/**
 * Stored data: bytes per user (items × count), user data in TB (decimal, 10^12 B), other data sets, the
 * total. Storage tiering by record age: records spread evenly over ages 0 … horizonDays (default: the
 * largest toDay), each tier's share = its age span ÷ horizon; stored TB = raw TB ÷ compression;
 * cost = stored TB × price; savings = 1 − tiered cost ÷ cost of keeping everything in the baseline store.
 */
import type { ModelContext } from './context.js';
import { metricId } from './ids.js';
import { formatNumber as n } from './format.js';
import type { ResolvedScenario } from './resolve.js';

const BYTES_PER_TB = 1e12;

export function storageMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const storage = s.storage;
  if (storage === undefined) return;
  let perUserBytes: number | undefined;
  if (storage.perUser !== undefined) {
    const items = Object.entries(storage.perUser);
    perUserBytes = 0;
    for (const [item, spec] of items) {
      const count = spec.count ?? 1;
      const bytes = ctx.set(
        metricId('storage.perUser.', item, '.bytes'),
        'bytes',
        spec.bytes * count,
        ctx.explain && (() => (count === 1 ? 'input' : `bytes × count = ${n(spec.bytes)} × ${n(count)}`)),
      );
      perUserBytes += bytes;
    }
    const total = perUserBytes;
    ctx.set(
      'storage.perUserBytes',
      'bytes',
      total,
      ctx.explain &&
        (() =>
          `${items.map(([item]) => `storage.perUser.${item}.bytes`).join(' + ')} = ${items.map(([item]) => n(ctx.get(metricId('storage.perUser.', item, '.bytes')) ?? 0)).join(' + ')}`),
    );
  }
  const parts: [string, number][] = [];
  const users = s.workload.registeredUsers;
  if (perUserBytes !== undefined && users !== undefined) {
    const bytes = perUserBytes;
    parts.push([
      'storage.userDataTB',
      ctx.set(
        'storage.userDataTB',
        'TB',
        (users * bytes) / BYTES_PER_TB,
        ctx.explain &&
          (() =>
            `workload.registeredUsers × storage.perUserBytes ÷ 10^12 = ${n(users)} × ${n(bytes)} ÷ 10^12`),
      ),
    ]);
  }
  for (const [name, terabytes] of Object.entries(storage.datasetsTB ?? {})) {
    parts.push([
      metricId('storage.datasets.', name, 'TB'),
      ctx.set(metricId('storage.datasets.', name, 'TB'), 'TB', terabytes, ctx.explain && (() => 'input')),
    ]);
  }
  if (parts.length > 0) {
    ctx.set(
      'storage.totalTB',
      'TB',
      parts.reduce((sum, [, value]) => sum + value, 0),
      ctx.explain &&
        (() => `${parts.map(([id]) => id).join(' + ')} = ${parts.map(([, value]) => n(value)).join(' + ')}`),
    );
  }
}

export function tieringMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const tiering = s.tiering;
  if (tiering === undefined) return;
  const { records, bytesPerRecord, baselinePricePerTBMonthUSD: baselinePrice } = tiering;
  const rawTB = ctx.set(
    'tiering.baselineTB',
    'TB',
    (records * bytesPerRecord) / BYTES_PER_TB,
    ctx.explain &&
      (() => `tiering.records × bytesPerRecord ÷ 10^12 = ${n(records)} × ${n(bytesPerRecord)} ÷ 10^12`),
  );
  const baselineCost = ctx.set(
    'tiering.baselineCostPerMonthUSD',
    'USD/month',
    rawTB * baselinePrice,
    ctx.explain &&
      (() => `tiering.baselineTB × baselinePricePerTBMonthUSD = ${n(rawTB)} × ${n(baselinePrice)}`),
  );
  // Records are spread evenly over ages 0 … horizon; tiers beyond the horizon hold nothing.
  const horizonDays = tiering.horizonDays ?? Math.max(...tiering.tiers.map((tier) => tier.toDay));
  let totalCost = 0;
  const costIds: string[] = [];
  for (const tier of tiering.tiers) {
    const id = metricId('tiering.', tier.name, '');
    const spanDays = Math.max(0, Math.min(tier.toDay, horizonDays) - Math.min(tier.fromDay, horizonDays));
    const share = spanDays / horizonDays;
    const tierRecords = ctx.set(
      metricId(id, '.records', ''),
      'records',
      records * share,
      ctx.explain &&
        (() =>
          `tiering.records × (${n(Math.min(tier.toDay, horizonDays))} − ${n(Math.min(tier.fromDay, horizonDays))}) days ÷ ${n(horizonDays)} days = ${n(records)} × ${n(share)}`),
    );
    const tierRawTB = (tierRecords * bytesPerRecord) / BYTES_PER_TB;
    const compression = tier.compressionRatio ?? 1;
    const storedTB = ctx.set(
      metricId(id, '.storedTB', ''),
      'TB',
      tierRawTB / compression,
      ctx.explain &&
        (() =>
          `${id}.records × bytesPerRecord ÷ 10^12 ÷ compressionRatio = ${n(tierRecords)} × ${n(bytesPerRecord)} ÷ 10^12 ÷ ${n(compression)}`),
    );
    const price = tier.pricePerTBMonthUSD;
    const cost = ctx.set(
      metricId(id, '.costPerMonthUSD', ''),
      'USD/month',
      storedTB * price,
      ctx.explain && (() => `${id}.storedTB × pricePerTBMonthUSD = ${n(storedTB)} × ${n(price)}`),
    );
    if (baselinePrice > 0)
      ctx.set(
        metricId(id, '.savingsVsBaseline', ''),
        'fraction',
        1 - price / baselinePrice,
        ctx.explain && (() => `1 − price ÷ baseline price = 1 − ${n(price)} ÷ ${n(baselinePrice)}`),
      );
    totalCost += cost;
    costIds.push(`${id}.costPerMonthUSD`);
  }
  const total = ctx.set(
    'tiering.totalCostPerMonthUSD',
    'USD/month',
    totalCost,
    ctx.explain && (() => `${costIds.join(' + ')} = ${costIds.map((id) => n(ctx.get(id) ?? 0)).join(' + ')}`),
  );
  if (baselineCost > 0)
    ctx.set(
      'tiering.savings',
      'fraction',
      1 - total / baselineCost,
      ctx.explain &&
        (() =>
          `1 − tiering.totalCostPerMonthUSD ÷ tiering.baselineCostPerMonthUSD = 1 − ${n(total)} ÷ ${n(baselineCost)}`),
    );
}
