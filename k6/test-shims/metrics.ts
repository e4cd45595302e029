/** TEST DOUBLE of `k6/metrics` (see README.md): records every sample in the shim state. */
import { shimState, type ShimMetricType } from './state.js';

class Metric {
  readonly name: string;
  constructor(name: string, type: ShimMetricType, isTime = false) {
    this.name = name;
    const metrics = shimState().metrics;
    const existing = metrics.get(name);
    if (existing && existing.type !== type) throw new Error(`k6 shim: metric ${name} redefined as ${type}`);
    if (!existing) metrics.set(name, { name, type, isTime, values: [], tags: [], times: [] });
  }

  add(value: number | boolean, tags?: Record<string, string>): void {
    const metric = shimState().metrics.get(this.name);
    if (!metric) return;
    metric.values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    metric.tags.push(tags);
    metric.times.push(Date.now());
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter');
  }
}
export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge');
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate');
  }
}
export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
}
