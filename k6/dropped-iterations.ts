/**
 * k6's own guard that every connection cell started on time: the built-in `dropped_iterations`
 * counter must stay 0. It is a k6 metric, not a capsim one, so importers add its verdict themselves.
 */
import type { ThresholdVerdict } from '../loadgen/thresholds.js';

export const DROPPED_ITERATIONS_THRESHOLD = 'dropped_iterations == 0';

export function droppedIterationsVerdict(dropped: number): ThresholdVerdict {
  return {
    threshold: DROPPED_ITERATIONS_THRESHOLD,
    metric: 'dropped_iterations',
    aggregate: 'count',
    operator: '==',
    limit: 0,
    observed: dropped,
    passed: dropped === 0,
  };
}
