/**
 * `extends:` merging and `--set` overrides on raw (not yet validated) scenario objects.
 * Merge rules: mappings merge key by key (recursively); everything else — numbers, strings, lists and
 * ranges ([low, high] or {low, mid, high}) — is replaced whole by the child; a child value of `null`
 * removes the inherited field.
 */
import { parse } from 'yaml';
import { CapsimError } from '../common/errors.js';
import { looksLikeRange } from './quantity.js';

export type RawObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is RawObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function deepMerge(base: RawObject, override: RawObject): RawObject {
  const result: RawObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const previous = result[key];
    if (value === null) delete result[key];
    else if (
      isPlainObject(value) &&
      isPlainObject(previous) &&
      !looksLikeRange(value) &&
      !looksLikeRange(previous)
    ) {
      result[key] = deepMerge(previous, value);
    } else result[key] = value;
  }
  return result;
}

/** A parsed `--set path=value` override. */
export interface Override {
  path: (string | number)[];
  value: unknown;
  /** The text as the user wrote it, for messages. */
  text: string;
}

/** Parses `path=value`; the value is read as YAML, so `3`, `[10, 30]` and `{ low: 1, high: 2 }` all work. */
export function parseOverride(text: string): Override {
  const equals = text.indexOf('=');
  const pathText = equals > 0 ? text.slice(0, equals).trim() : '';
  if (equals <= 0 || !/^[A-Za-z_$][\w$-]*(\.[\w$-]+)*$/.test(pathText)) {
    throw new CapsimError('E_BAD_SET', `--set ${text}: expected path=value`, {
      problems: [
        {
          path: '--set',
          message: 'not an override',
          expected: 'path=value, e.g. workload.peakFactor=4',
          found: text,
        },
      ],
    });
  }
  let value: unknown;
  try {
    value = parse(text.slice(equals + 1));
  } catch (error) {
    throw new CapsimError('E_BAD_SET', `--set ${text}: the value is not valid YAML`, {
      problems: [
        { path: pathText, message: (error as Error).message.split('\n')[0], found: text.slice(equals + 1) },
      ],
    });
  }
  const path = pathText.split('.').map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  return { path, value, text };
}

/** Returns a copy of `target` with `value` at `path` (intermediate mappings are created). */
export function setPath(target: RawObject, path: readonly (string | number)[], value: unknown): RawObject {
  const [head, ...rest] = path;
  const copy: RawObject | unknown[] = Array.isArray(target) ? [...(target as unknown[])] : { ...target };
  const container = copy as Record<string | number, unknown>;
  if (rest.length === 0) container[head] = value;
  else {
    const child = container[head];
    const next = isPlainObject(child) || Array.isArray(child) ? (child as RawObject) : {};
    container[head] = setPath(next, rest, value);
  }
  return copy as RawObject;
}

/** Value at `path`, or undefined. */
export function getPath(target: unknown, path: readonly (string | number)[]): unknown {
  let current = target;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
