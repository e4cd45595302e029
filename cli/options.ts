/** Parsing of numeric command-line options (bad values are bad input, exit 2). */
import { CapsimError } from '../common/errors.js';

export function parseCount(text: string, option: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value)) {
    throw new CapsimError('E_BAD_OPTION', `${option}: expected a whole number ≥ 0`, {
      problems: [{ path: option, message: 'not a whole number', expected: 'an integer ≥ 0', found: text }],
    });
  }
  return value;
}
