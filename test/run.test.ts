/**
 * `capsim run` end to end on a bundled scenario, through the real CLI: model, simulation, the embedded
 * server in its own process, a short load test and the report. Asserts what a user relies on: the
 * report and summaries are written, and the report's numbers are the ones in the stage results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestResultSchema } from '../loadgen/outputs/result-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = mkdtempSync(join(tmpdir(), 'capsim-run-test-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('capsim run', () => {
  it(
    'runs a bundled scenario end to end and writes a report built from the real results',
    { timeout: 240_000 },
    () => {
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'cli.ts'),
          'run',
          'whatsapp-agent-backend',
          '--out',
          outDir,
          '--duration',
          '4s',
          '--users',
          '20',
          '--sim-duration',
          '5',
          '--replications',
          '2',
        ],
        { cwd: root, encoding: 'utf8', timeout: 230_000 },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/model: \d+ metrics, (\d+)\/\1 document checks pass/);
      expect(run.stdout).toContain(`report: ${join(outDir, 'report.html')}`);

      for (const file of ['model.json', 'loadtest.json', 'report.html', 'summary.md', 'junit.xml'])
        expect(existsSync(join(outDir, file)), file).toBe(true);
      const loadTest = loadTestResultSchema.parse(
        JSON.parse(readFileSync(join(outDir, 'loadtest.json'), 'utf8')),
      );
      expect(loadTest.summary.connections.maxOpen).toBeGreaterThan(0);

      const html = readFileSync(join(outDir, 'report.html'), 'utf8');
      const verdict = /<strong id="verdict">([A-Z ]+)<\/strong>/.exec(html)?.[1];
      expect(run.stdout).toContain(`verdict: ${verdict}`);
      // The table shows the load test's own figures.
      expect(html).toContain(
        `<tr data-row-id="connections.perInstance" data-required="${loadTest.summary.connections.target}" data-measured="${loadTest.summary.connections.maxOpen}">`,
      );
      expect(html).toContain(
        `<tr data-row-id="messages.lost" data-required="0" data-measured="${loadTest.checker.lost}">`,
      );
      expect(html).toContain(
        `data-row-id="latency.ack.p99" data-required="100" data-measured="${loadTest.latency.ack.p99Ms}"`,
      );
      // The summaries agree with the report.
      expect(readFileSync(join(outDir, 'summary.md'), 'utf8')).toContain(`**${verdict}**`);
      const junit = readFileSync(join(outDir, 'junit.xml'), 'utf8');
      expect(junit).toContain(`name="${loadTest.thresholds[0].threshold.replaceAll('<', '&lt;')}"`);
    },
  );
});
