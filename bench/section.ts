/** One table of `npm run bench`: what was measured, the command that reproduces it, and the rows. */
export interface BenchSection {
  title: string;
  /** Command that re-runs just this section, e.g. `npm run bench -- sim`. */
  command: string;
  columns: string[];
  rows: (string | number)[][];
  /** Goals, peers and caveats, printed under the table. */
  notes?: string[];
}

/** A bench module: `bench/<area>.ts` exports `run` producing one or more sections. */
export type BenchModule = { run: () => Promise<BenchSection[]> };

/** `npm run bench -- <area>` prefixed with the CAPSIM_BENCH_* variables of this run that were set. */
export function benchCommand(area: string, variables: readonly string[]): string {
  const set = variables
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}=${process.env[name]} `)
    .join('');
  return `${set}npm run bench -- ${area}`;
}
