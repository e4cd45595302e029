/**
 * "Did you mean" for misspelt fields: finds the object schema at a path inside a zod schema and the
 * allowed key closest (by edit distance) to the one the user wrote.
 */
import type { z } from 'zod';

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  items?: z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** Strips optional/default/nullable wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(current);
    if (
      (def.type === 'optional' ||
        def.type === 'default' ||
        def.type === 'nullable' ||
        def.type === 'readonly') &&
      def.innerType
    ) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
    } else break;
  }
  return current;
}

/** The schemas that may describe the value at `path` (several when unions are involved). */
export function schemasAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current = [unwrap(root)];
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const schema of current) {
      const def = defOf(schema);
      if (def.type === 'object' && def.shape && typeof segment === 'string' && segment in def.shape) {
        next.push(unwrap(def.shape[segment]));
      } else if (def.type === 'record' && def.valueType) {
        next.push(unwrap(def.valueType));
      } else if (def.type === 'array' && def.element) {
        next.push(unwrap(def.element));
      } else if (def.type === 'tuple' && def.items && typeof segment === 'number' && def.items[segment]) {
        next.push(unwrap(def.items[segment]));
      } else if (def.type === 'union' && def.options) {
        for (const option of def.options) next.push(...schemasAt(option, [segment]));
      }
    }
    current = next;
  }
  return current.flatMap((schema) => {
    const def = defOf(schema);
    return def.type === 'union' && def.options ? def.options.map(unwrap) : [schema];
  });
}

/** Field names an object at `path` accepts (empty when the path is not an object). */
export function allowedKeys(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = defOf(schema);
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys];
}

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[right.length];
}

/** The closest candidate to `word`, if close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  const prefixMatch =
    best !== undefined &&
    (best.toLowerCase().startsWith(word.toLowerCase()) || word.toLowerCase().startsWith(best.toLowerCase()));
  return best !== undefined && (bestDistance <= limit || prefixMatch) ? best : undefined;
}
