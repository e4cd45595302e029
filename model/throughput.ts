/**
 * Workload → traffic: daily, per-second and per-minute message volumes at average and peak, the
 * shortfall against today's capacity, user ratios, daily operations and database operations.
 *   messages/day = DAU × messages per user per day   (or messages/s × 86,400)
 *   messages/s = messages/day ÷ 86,400;  messages/min = messages/day ÷ 1,440;  peak = average × peak factor
 *   shortfall = required ÷ current capacity
 */
import { quantityBounds, type Quantity } from '../scenarios/quantity.js';
import type { Scenario } from '../scenarios/schema.js';
import type { ModelContext } from './context.js';
import { formatNumber as n } from './format.js';
import { metricId } from './ids.js';
import type { ResolvedScenario } from './resolve.js';

export const SECONDS_PER_DAY = 86_400;
export const MINUTES_PER_DAY = 1_440;

const workloadUnits: Record<string, string> = {
  registeredUsers: 'users',
  dailyActiveUsers: 'users',
  concurrentConnections: 'connections',
  messagesPerUserPerDay: 'messages/user/day',
  messagesPerSecond: 'messages/s',
  peakFactor: '×',
  readsPerSecond: 'reads/s',
};

/** Made once: Monte Carlo reads the list on every sample. */
const workloadUnitEntries = Object.entries(workloadUnits);

/** Formula text for an input: the number, and the range it was taken from. */
export function inputFormula(raw: Quantity | undefined): string {
  if (raw === undefined || typeof raw === 'number') return 'input';
  const { low, mid, high } = quantityBounds(raw);
  return Array.isArray(raw)
    ? `input, range [${n(low)}, ${n(high)}] → midpoint ${n(mid)}`
    : `input, low ${n(low)} / mid ${n(mid)} / high ${n(high)}`;
}

export function workloadMetrics(s: ResolvedScenario, raw: Scenario, ctx: ModelContext): void {
  const w = s.workload;
  for (const [key, unit] of workloadUnitEntries) {
    const value = (w as Record<string, number | undefined>)[key];
    if (value !== undefined)
      ctx.set(
        metricId('workload.', key, ''),
        unit,
        value,
        ctx.explain && (() => inputFormula((raw.workload as Record<string, Quantity | undefined>)[key])),
      );
  }
  messageMetrics(s, raw, ctx);
  userMetrics(s, ctx);
  operationMetrics(s, ctx);
}

function messageMetrics(s: ResolvedScenario, raw: Scenario, ctx: ModelContext): void {
  const {
    dailyActiveUsers: dau,
    messagesPerUserPerDay: perUser,
    messagesPerSecond,
    peakFactor = 1,
  } = s.workload;
  let perDay: number;
  if (dau !== undefined && perUser !== undefined) {
    perDay = ctx.set(
      'messages.perDay.avg',
      'messages/day',
      dau * perUser,
      ctx.explain &&
        (() => `workload.dailyActiveUsers × workload.messagesPerUserPerDay = ${n(dau)} × ${n(perUser)}`),
    );
    const bounds = quantityBounds(raw.workload.messagesPerUserPerDay ?? perUser);
    ctx.set(
      'messages.perDay.low',
      'messages/day',
      dau * bounds.low,
      ctx.explain &&
        (() => `workload.dailyActiveUsers × low messages per user = ${n(dau)} × ${n(bounds.low)}`),
    );
    ctx.set(
      'messages.perDay.high',
      'messages/day',
      dau * bounds.high,
      ctx.explain &&
        (() => `workload.dailyActiveUsers × high messages per user = ${n(dau)} × ${n(bounds.high)}`),
    );
  } else if (messagesPerSecond !== undefined) {
    perDay = ctx.set(
      'messages.perDay.avg',
      'messages/day',
      messagesPerSecond * SECONDS_PER_DAY,
      ctx.explain && (() => `workload.messagesPerSecond × 86,400 s = ${n(messagesPerSecond)} × 86,400`),
    );
  } else return;
  const perSecond = ctx.set(
    'messages.perSecond.avg',
    'messages/s',
    perDay / SECONDS_PER_DAY,
    ctx.explain && (() => `messages.perDay.avg ÷ 86,400 s = ${n(perDay)} ÷ 86,400`),
  );
  ctx.set(
    'messages.perSecond.peak',
    'messages/s',
    perSecond * peakFactor,
    ctx.explain &&
      (() => `messages.perSecond.avg × workload.peakFactor = ${n(perSecond)} × ${n(peakFactor)}`),
  );
  const perMinute = ctx.set(
    'messages.perMinute.avg',
    'messages/min',
    perDay / MINUTES_PER_DAY,
    ctx.explain && (() => `messages.perDay.avg ÷ 1,440 min = ${n(perDay)} ÷ 1,440`),
  );
  const peakPerMinute = ctx.set(
    'messages.perMinute.peak',
    'messages/min',
    perMinute * peakFactor,
    ctx.explain &&
      (() => `messages.perMinute.avg × workload.peakFactor = ${n(perMinute)} × ${n(peakFactor)}`),
  );
  const current = s.current?.messagesPerMinute;
  if (current !== undefined && current > 0) {
    ctx.set(
      'current.messagesPerMinute',
      'messages/min',
      current,
      ctx.explain && (() => inputFormula(raw.current?.messagesPerMinute)),
    );
    ctx.set(
      'messages.shortfall.avg',
      '×',
      perMinute / current,
      ctx.explain &&
        (() => `messages.perMinute.avg ÷ current.messagesPerMinute = ${n(perMinute)} ÷ ${n(current)}`),
    );
    ctx.set(
      'messages.shortfall.peak',
      '×',
      peakPerMinute / current,
      ctx.explain &&
        (() => `messages.perMinute.peak ÷ current.messagesPerMinute = ${n(peakPerMinute)} ÷ ${n(current)}`),
    );
    ctx.set(
      'messages.gap.perMinute',
      'messages/min',
      perMinute - current,
      ctx.explain &&
        (() => `messages.perMinute.avg − current.messagesPerMinute = ${n(perMinute)} − ${n(current)}`),
    );
  }
}

function userMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const { registeredUsers: registered, dailyActiveUsers: dau } = s.workload;
  const capacity = s.current?.registeredUsers;
  if (registered !== undefined && dau !== undefined && registered > 0) {
    ctx.set(
      'users.dauRatio',
      'fraction',
      dau / registered,
      ctx.explain &&
        (() => `workload.dailyActiveUsers ÷ workload.registeredUsers = ${n(dau)} ÷ ${n(registered)}`),
    );
  }
  if (capacity === undefined || capacity <= 0) return;
  ctx.set('current.registeredUsers', 'users', capacity, ctx.explain && (() => 'input'));
  if (registered !== undefined) {
    ctx.set(
      'users.shortfall',
      '×',
      registered / capacity,
      ctx.explain &&
        (() => `workload.registeredUsers ÷ current.registeredUsers = ${n(registered)} ÷ ${n(capacity)}`),
    );
  }
  if (dau !== undefined) {
    ctx.set(
      'users.dauShortfall',
      '×',
      dau / capacity,
      ctx.explain &&
        (() => `workload.dailyActiveUsers ÷ current.registeredUsers = ${n(dau)} ÷ ${n(capacity)}`),
    );
  }
}

function operationMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const mix = s.workload.operationsPerUserPerDay;
  const dau = s.workload.dailyActiveUsers;
  if (mix === undefined) return;
  // A kind may name another metric (sends = workload.messagesPerUserPerDay), so the two move together.
  const entries = Object.entries(mix);
  const counts: number[] = [];
  let perUser = 0;
  for (const [kind, value] of entries) {
    const count =
      typeof value === 'number' ? value : ctx.require(value, `workload.operationsPerUserPerDay.${kind}`);
    counts.push(count);
    perUser += count;
  }
  ctx.set(
    'operations.perUserPerDay',
    'operations/user/day',
    perUser,
    ctx.explain &&
      (() =>
        `${entries.map(([kind, value]) => (typeof value === 'number' ? kind : `${kind} (${value})`)).join(' + ')} = ${counts.map(n).join(' + ')}`),
  );
  if (dau === undefined) return;
  const perDay = ctx.set(
    'operations.perDay',
    'operations/day',
    dau * perUser,
    ctx.explain && (() => `workload.dailyActiveUsers × operations.perUserPerDay = ${n(dau)} × ${n(perUser)}`),
  );
  ctx.set(
    'operations.perSecond',
    'operations/s',
    perDay / SECONDS_PER_DAY,
    ctx.explain && (() => `operations.perDay ÷ 86,400 s = ${n(perDay)} ÷ 86,400`),
  );
}

/** Database operations: writes from messages, reads from user operations (or as stated). */
export function databaseMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const db = s.database;
  if (db === undefined) return;
  const messagesPerSecond = ctx.get('messages.perSecond.avg');
  const writesPerMessage = db.writesPerMessage ?? 1;
  let writes = 0;
  if (messagesPerSecond !== undefined) {
    writes = ctx.set(
      'database.writesPerSecond',
      'writes/s',
      messagesPerSecond * writesPerMessage,
      ctx.explain &&
        (() =>
          `messages.perSecond.avg × database.writesPerMessage = ${n(messagesPerSecond)} × ${n(writesPerMessage)}`),
    );
  }
  let reads: number | undefined;
  const stated = db.readsPerSecond;
  const operations = ctx.get('operations.perSecond');
  if (stated !== undefined)
    reads = ctx.set(
      'database.readsPerSecond',
      'reads/s',
      stated,
      ctx.explain && (() => 'input (database.readsPerSecond)'),
    );
  else if (operations !== undefined && db.readsPerOperation !== undefined) {
    const perOperation = db.readsPerOperation;
    reads = ctx.set(
      'database.readsPerSecond',
      'reads/s',
      operations * perOperation,
      ctx.explain &&
        (() => `operations.perSecond × database.readsPerOperation = ${n(operations)} × ${n(perOperation)}`),
    );
  }
  if (reads !== undefined) {
    const r = reads;
    ctx.set(
      'database.opsPerSecond',
      'ops/s',
      writes + r,
      ctx.explain && (() => `database.writesPerSecond + database.readsPerSecond = ${n(writes)} + ${n(r)}`),
    );
  }
}
