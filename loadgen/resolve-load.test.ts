import { describe, expect, it } from 'vitest';
import { CapsimError } from '../common/errors.js';
import { loadSchema } from './load-schema.js';
import { parseSlice, resolveLoad } from './resolve-load.js';

const load = {
  phases: [
    { name: 'ramp-up', connections: 200, connectRatePerSecond: 50 },
    { name: 'peak', duration: '20s', messageRateMultiplier: 3 },
    { name: 'ramp-down', duration: '2s', connections: 0 },
  ],
  messages: { perUserPerDay: 15, timeCompression: 2000 },
  offline: { fraction: 0.1, awayDuration: '3s' },
  thresholds: { delivery_latency: 'p95 < 100ms', lost: '== 0', connect_errors: 'rate < 0.1%' },
  fullScale: { connections: 50_000_000, messagesPerSecond: 260_000 },
};

describe('load section', () => {
  it('resolves phases on a millisecond timeline with derived ramp durations', () => {
    const plan = resolveLoad({ load });
    expect(plan.users).toBe(200);
    expect(plan.phases.map((p) => [p.startMs, p.durationMs, p.toConnections])).toEqual([
      [0, 4000, 200],
      [4000, 20000, 200],
      [24000, 2000, 0],
    ]);
    expect('perUserPerSecond' in plan.messageRate && plan.messageRate.perUserPerSecond).toBeCloseTo(
      (15 * 2000) / 86400,
    );
    // Stated thresholds plus the always-on correctness ones.
    expect(plan.thresholds.map((t) => t.source)).toEqual([
      'delivery_latency: p95 < 100ms',
      'lost: == 0',
      'connect_errors: rate < 0.1%',
      'duplicated: == 0',
      'out_of_order: == 0',
    ]);
  });

  it('--duration stretches the hold and keeps ramps', () => {
    const plan = resolveLoad({ load }, { durationMs: 10_000 });
    expect(plan.durationMs).toBeCloseTo(10_000);
    expect(plan.phases[0].durationMs).toBe(4000);
  });

  it('--slice 1/K takes 1/K of the full-scale connections and peak rate', () => {
    const plan = resolveLoad({ load }, { slice: parseSlice('1/5000') });
    expect(plan.users).toBe(10_000);
    expect(plan.phases[0].toConnections).toBe(10_000);
    // 260,000 / 5,000 = 52 msg/s at the ×3 peak phase.
    expect('totalPerSecond' in plan.messageRate && plan.messageRate.totalPerSecond * 3).toBeCloseTo(52);
  });

  it('reports schema mistakes with the field path', () => {
    const bad = {
      ...load,
      messages: { perSecond: 10, perUserPerDay: 3 },
      thresholds: ['delivery_latency: p95 < 10 parsecs'],
    };
    expect(loadSchema.safeParse(bad).success).toBe(false);
    try {
      resolveLoad({ load: bad as never });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapsimError);
      const paths = (error as CapsimError).problems.map((p) => p.path);
      expect(paths).toContain('load.messages');
      expect(paths).toContain('load.thresholds.0');
    }
  });

  it('turns the scenario SLO into latency thresholds', () => {
    const plan = resolveLoad({
      load: { messages: { perSecond: 5 } },
      slo: { deliveryLatencyMs: { p95: 100 }, ackLatencyMs: { p99: 200 } },
    });
    expect(plan.thresholds.map((t) => t.source)).toContain('delivery_latency: p95 < 100ms');
    expect(plan.thresholds.map((t) => t.source)).toContain('ack_latency: p99 < 200ms');
  });
});
