/**
 * Setting one numeric input of a resolved scenario by its dotted path (for sweeps, sensitivity and
 * phases). The path must name a number the scenario has, or an optional number field its section allows.
 */
import { CapsimError } from '../common/errors.js';
import type { ResolvedScenario } from './resolve.js';

export function setInput(resolved: ResolvedScenario, path: string, value: number, origin: string): void {
  const segments = path.split('.');
  let holder: Record<string, unknown> = resolved as unknown as Record<string, unknown>;
  for (const segment of segments.slice(0, -1)) {
    const next = holder[segment];
    if (next === null || typeof next !== 'object')
      throw badInput(path, origin, `\`${segment}\` is not in the scenario`);
    holder = next as Record<string, unknown>;
  }
  const last = segments[segments.length - 1];
  if (typeof holder[last] !== 'number')
    throw badInput(
      path,
      origin,
      holder[last] === undefined ? 'the scenario has no such number' : 'not a number',
    );
  holder[last] = value;
}

function badInput(path: string, origin: string, message: string): CapsimError {
  return new CapsimError('E_BAD_INPUT_PATH', `${origin}: cannot set ${path}: ${message}`, {
    problems: [
      {
        path,
        message,
        expected: 'the dotted path of a number in the scenario, e.g. workload.peakFactor',
        found: path,
      },
    ],
  });
}
