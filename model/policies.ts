/**
 * Policy inputs turned into numbers later stages use: retention TTLs in seconds, total retry delay of an
 * exponential backoff, rate limits per second, write-buffer transactions, SLO downtime budget.
 *   retry delay k (k = 0 … n−1) = min(base × multiplier^(firstExponent + k), maxDelay)
 *   write-buffer transactions/s = database writes/s ÷ messages per flush (full batches)
 */
import type { Duration, RetryPolicy } from '../scenarios/schema.js';
import type { ModelContext } from './context.js';
import { metricId } from './ids.js';
import { formatNumber as n } from './format.js';
import type { Resolved, ResolvedScenario } from './resolve.js';

/** Milliseconds in a duration written as { days, hours, minutes, seconds, ms }. */
export function durationMs(duration: Resolved<Duration>): number {
  return (
    ((((duration.days ?? 0) * 24 + (duration.hours ?? 0)) * 60 + (duration.minutes ?? 0)) * 60 +
      (duration.seconds ?? 0)) *
      1000 +
    (duration.ms ?? 0)
  );
}

export function durationText(duration: Resolved<Duration>): string {
  const parts = (['days', 'hours', 'minutes', 'seconds', 'ms'] as const)
    .filter((key) => duration[key] !== undefined)
    .map((key) => `${n(duration[key] ?? 0)} ${key}`);
  return parts.join(' + ');
}

/** The delays of a retry policy, in milliseconds. */
export function retryDelaysMs(policy: Resolved<RetryPolicy>): number[] {
  const base = durationMs(policy.baseDelay);
  const multiplier = policy.multiplier ?? 2;
  const first = policy.firstExponent ?? 0;
  const cap = policy.maxDelay === undefined ? Infinity : durationMs(policy.maxDelay);
  const delays: number[] = [];
  for (let k = 0; k < Math.round(policy.maxRetries); k++)
    delays.push(Math.min(base * multiplier ** (first + k), cap));
  return delays;
}

export function policyMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const policies = s.policies;
  if (policies !== undefined) {
    for (const [name, ttl] of Object.entries(policies.retention ?? {})) {
      const ms = durationMs(ttl);
      ctx.set(
        metricId('policies.retention.', name, '.seconds'),
        's',
        ms / 1000,
        ctx.explain && (() => `${durationText(ttl)} in seconds`),
      );
      ctx.set(
        metricId('policies.retention.', name, '.days'),
        'days',
        ms / 86_400_000,
        ctx.explain && (() => `${durationText(ttl)} in days`),
      );
    }
    for (const [name, ttl] of Object.entries(policies.timeouts ?? {}))
      ctx.set(
        metricId('policies.timeouts.', name, '.ms'),
        'ms',
        durationMs(ttl),
        ctx.explain && (() => `${durationText(ttl)} in ms`),
      );
    for (const [name, policy] of Object.entries(policies.retries ?? {})) retryMetrics(name, policy, ctx);
    for (const [name, limit] of Object.entries(policies.rateLimits ?? {})) {
      const seconds = durationMs(limit.window) / 1000;
      ctx.set(
        metricId('policies.rateLimits.', name, '.perSecond'),
        `requests/s per ${limit.scope ?? 'user'}`,
        limit.limit / seconds,
        ctx.explain && (() => `limit ÷ window = ${n(limit.limit)} ÷ ${n(seconds)} s`),
      );
    }
    writeBufferMetrics(s, ctx);
  }
  const availability = s.slo?.availability;
  if (availability !== undefined) {
    ctx.set(
      'slo.downtimeMinutesPerMonth',
      'min/month',
      (1 - availability) * 30 * 24 * 60,
      ctx.explain && (() => `(1 − availability) × 30 days × 1,440 min = (1 − ${n(availability)}) × 43,200`),
    );
  }
}

function retryMetrics(name: string, policy: Resolved<RetryPolicy>, ctx: ModelContext): void {
  const id = metricId('policies.retries.', name, '');
  const delays = retryDelaysMs(policy);
  const base = durationMs(policy.baseDelay);
  const multiplier = policy.multiplier ?? 2;
  const first = policy.firstExponent ?? 0;
  const exponents = delays.map((_, k) => first + k);
  ctx.set(
    metricId(id, '.attempts', ''),
    'attempts',
    delays.length + 1,
    ctx.explain && (() => `1 + maxRetries = 1 + ${delays.length}`),
  );
  ctx.set(
    metricId(id, '.firstDelayMs', ''),
    'ms',
    delays[0] ?? 0,
    ctx.explain && (() => `${n(base)} ms × ${n(multiplier)}^${first}`),
  );
  ctx.set(
    metricId(id, '.lastDelayMs', ''),
    'ms',
    delays[delays.length - 1] ?? 0,
    ctx.explain &&
      (() =>
        `${n(base)} ms × ${n(multiplier)}^${exponents[exponents.length - 1] ?? first}${policy.maxDelay ? ' (capped)' : ''}`),
  );
  ctx.set(
    metricId(id, '.totalDelayMs', ''),
    'ms',
    delays.reduce((sum, delay) => sum + delay, 0),
    ctx.explain &&
      (() =>
        `Σ ${n(base)} ms × ${n(multiplier)}^k for k = ${exponents.join(', ')} = ${delays.map(n).join(' + ')}`),
  );
}

function writeBufferMetrics(s: ResolvedScenario, ctx: ModelContext): void {
  const buffer = s.policies?.writeBuffer;
  const writes = ctx.get('database.writesPerSecond') ?? ctx.get('messages.perSecond.avg');
  if (buffer === undefined || writes === undefined) return;
  const batch = buffer.maxMessages;
  const source = ctx.has('database.writesPerSecond') ? 'database.writesPerSecond' : 'messages.perSecond.avg';
  ctx.set(
    'writeBuffer.transactionsPerSecond',
    'transactions/s',
    writes / batch,
    ctx.explain && (() => `${source} ÷ maxMessages = ${n(writes)} ÷ ${n(batch)}`),
  );
  const delayMs = durationMs(buffer.maxDelay);
  ctx.set(
    'writeBuffer.fullBatchFillMs',
    'ms',
    (batch / writes) * 1000,
    ctx.explain &&
      (() =>
        `maxMessages ÷ ${source} × 1,000 = ${n(batch)} ÷ ${n(writes)} × 1,000 (fleet-wide; maxDelay ${n(delayMs)} ms)`),
  );
}
