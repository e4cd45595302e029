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
