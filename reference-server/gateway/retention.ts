/**
 * Retention sweeps of seed 002 §4 ("don't store messages longer than necessary"): read messages 3 days,
 * delivered 7 days, undelivered 90 days, idempotency keys 24 h, presence records, old dead letters.
 * Time comes from the injectable clock, so a test advances a FakeClock instead of waiting. Each kind is
 * deleted in bounded transactions of `batchSize` rows until a short batch says it is done.
 */
import type { RetentionKind } from '../contracts.js';
import type { GatewayContext } from './context.js';

const maxBatchesPerKind = 10_000;

export async function runRetention(ctx: GatewayContext): Promise<Record<string, number>> {
  const nowMs = ctx.clock.nowMs();
  const r = ctx.options.retention;
  const cutoffs: [RetentionKind, number][] = [
    ['read', nowMs - r.readMs],
    ['delivered', nowMs - r.deliveredMs],
    ['undelivered', nowMs - r.undeliveredMs],
    ['idempotency', nowMs - r.idempotencyMs],
    ['deadLetters', nowMs - r.deadLetterMs],
  ];
  const deleted: Record<string, number> = {};
  for (const [kind, cutoffMs] of cutoffs) {
    let total = 0;
    for (let i = 0; i < maxBatchesPerKind; i += 1) {
      const n = await ctx.storeBreaker.execute(() => ctx.store.sweep(kind, cutoffMs, r.batchSize));
      ctx.metrics.counters.storageTransactions += 1;
      total += n;
      if (n < r.batchSize) break;
    }
    deleted[kind] = total;
  }
  deleted.presence = await ctx.registry.sweep(nowMs, r.presenceMs).catch(() => 0);
  if (deleted.deadLetters > 0) ctx.delivery.deadLetters = await ctx.store.countDeadLetters();
  return deleted;
}
