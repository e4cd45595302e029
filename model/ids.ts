/**
 * Metric ids built from names in the scenario (`components.<name>.unitsRequired`) are made once and
 * reused: Monte Carlo evaluates the model thousands of times, and reusing the same string objects keeps
 * map lookups from hashing and comparing fresh strings on every sample.
 */
const cache = new Map<string, Map<string, Map<string, string>>>();

/** `prefix + name + suffix`, the same string object on every call. */
export function metricId(prefix: string, name: string, suffix: string): string {
  let byName = cache.get(prefix);
  if (byName === undefined) cache.set(prefix, (byName = new Map()));
  let bySuffix = byName.get(name);
  if (bySuffix === undefined) byName.set(name, (bySuffix = new Map()));
  let id = bySuffix.get(suffix);
  if (id === undefined) bySuffix.set(suffix, (id = prefix + name + suffix));
  return id;
}
