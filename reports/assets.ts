/**
 * The JavaScript inlined into every report so it opens from disk without a network: vega, vega-lite
 * and vega-embed from node_modules (read once per process, then cached).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ReportAssets {
  /** Script texts in load order (vega, vega-lite, vega-embed). */
  scripts: { name: string; source: string }[];
}

let cached: ReportAssets | undefined;

/** A file in the package's build/ folder (each package's CommonJS entry lives there). */
function buildFile(packageName: string, fileName: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(packageName)), fileName);
}

/** Loads the minified UMD builds; they define the globals `vega`, `vegaLite` and `vegaEmbed`. */
export function loadReportAssets(): ReportAssets {
  cached ??= {
    scripts: [
      { name: 'vega', source: readFileSync(buildFile('vega', 'vega.min.js'), 'utf8') },
      { name: 'vega-lite', source: readFileSync(buildFile('vega-lite', 'vega-lite.min.js'), 'utf8') },
      { name: 'vega-embed', source: readFileSync(buildFile('vega-embed', 'vega-embed.min.js'), 'utf8') },
    ],
  };
  return cached;
}
