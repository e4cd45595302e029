/**
 * Scaling phases: the model re-evaluated with each phase's input overrides, reporting the metrics the
 * phase names as `phases.<phase>.<metric>`. When a phase and the one before it override the same single
 * input, `phases.<phase>.growth` is the ratio of the two values (e.g. 100,000 ÷ 10,000 users = 10).
 */
import { CapsimError } from '../common/errors.js';
import { pointValue, type Quantity } from '../scenarios/quantity.js';
import type { Scenario } from '../scenarios/schema.js';
import { computeMetrics } from './compute.js';
import type { ModelContext } from './context.js';
import { formatNumber as n } from './format.js';
import { resolveScenario, type ResolvedScenario } from './resolve.js';
import { setInput } from './inputs.js';

function numericOverride(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  try {
    return pointValue(value as Quantity);
  } catch {
    return undefined;
  }
}

export function phaseMetrics(raw: Scenario, ctx: ModelContext): void {
  const phases = raw.phases ?? [];
  phases.forEach((phase, index) => {
    const { scenario } = resolveScenario(raw);
    const resolved: ResolvedScenario = scenario;
    for (const [path, value] of Object.entries(phase.set)) {
      const number = numericOverride(value);
      if (number === undefined || !Number.isFinite(number)) {
        throw new CapsimError('E_SCHEMA', `phase ${phase.name}: ${path} must be set to a number`, {
          problems: [
            {
              path: `phases.${index}.set.${path}`,
              message: 'not a number',
              expected: 'a number or range',
              found: JSON.stringify(value),
            },
          ],
        });
      }
      setInput(resolved, path, number, `phases.${index}.set`);
    }
    const phaseContext = computeMetrics(resolved, raw, true);
    for (const metric of phase.metrics) {
      const value = phaseContext.require(metric, `phases.${index}.metrics`);
      const formula = phaseContext.formulas.get(metric) ?? '';
      const overrides = Object.entries(phase.set)
        .map(([path, v]) => `${path} = ${JSON.stringify(v)}`)
        .join(', ');
      ctx.set(
        `phases.${phase.name}.${metric}`,
        phaseContext.units.get(metric) ?? '',
        value,
        ctx.explain && (() => `with ${overrides}: ${formula}`),
      );
    }
    const previous = phases[index - 1];
    const keys = Object.keys(phase.set);
    if (previous && keys.length === 1 && keys[0] in previous.set) {
      const now = numericOverride(phase.set[keys[0]]);
      const before = numericOverride(previous.set[keys[0]]);
      if (now !== undefined && before !== undefined && before !== 0) {
        ctx.set(
          `phases.${phase.name}.growth`,
          '×',
          now / before,
          ctx.explain &&
            (() => `${keys[0]} in ${phase.name} ÷ in ${previous.name} = ${n(now)} ÷ ${n(before)}`),
        );
      }
    }
  });
}
