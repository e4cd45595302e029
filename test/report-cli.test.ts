/**
 * `capsim report` and `capsim model --html` through the real CLI: files written, verdict printed, the
 * documented exit codes (0, 1 with --check when not ready, 2 for bad input without a stack trace).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleReportInput } from '../reports/fixtures/sample-input.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'reports', 'fixtures', 'loadtest-result.json');
const dir = mkdtempSync(join(tmpdir(), 'capsim-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capsim(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('capsim report', () => {
  it(
    'writes the HTML report with Markdown and JUnit summaries and prints the verdict',
    { timeout: 120_000 },
    () => {
      const html = join(dir, 'report.html');
      const run = capsim(
        'report',
        fixture,
        '--out',
        html,
        '--markdown',
        join(dir, 'summary.md'),
        '--junit',
        join(dir, 'junit.xml'),
      );
      expect(run.status, run.stderr).toBe(0);
      const verdict = /verdict: ([A-Z ]+)\n/.exec(run.stdout)?.[1];
      expect(verdict).toBeDefined();
      expect(run.stdout).toContain(`report: ${html}`);
      const page = readFileSync(html, 'utf8');
      expect(page).toContain(`<strong id="verdict">${verdict}</strong>`);
      // The scenario named in the results (000) supplies the SLO rows and the calibration.
      expect(page).toContain('data-row-id="latency.delivery.p99" data-required="500"');
      expect(page).toContain('The document assumes <strong>10,000 connections per instance</strong>');
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(`**${verdict}**`);
      expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="capsim.whatsapp-agent-backend"/,
      );
      // --check turns a NOT READY verdict into exit code 1 (a ready-made report input, so no model run).
      const failing = sampleReportInput(10);
      failing.requirements![0].measured = 10;
      const input = join(dir, 'input.json');
      writeFileSync(input, JSON.stringify(failing));
      expect(capsim('report', input, '--out', join(dir, 'checked.html'), '--check').status).toBe(1);
      expect(capsim('report', input, '--out', join(dir, 'unchecked.html')).status).toBe(0);
    },
  );

  it('rejects a file that is not results with exit code 2 and no stack trace', { timeout: 60_000 }, () => {
    const bogus = join(dir, 'bogus.json');
    writeFileSync(bogus, '{"hello": 1}');
    const run = capsim('report', bogus, '--out', join(dir, 'x.html'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error E_BAD_RESULTS');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const missing = capsim('report', join(dir, 'missing.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read the file');
  });
});

describe('capsim model --html', () => {
  it('writes the model-only report with the document gap table', { timeout: 120_000 }, () => {
    const html = join(dir, 'model.html');
    const run = capsim('model', 'whatsapp-agent-backend', '--samples', '0', '--json', '--html', html);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).scenario).toBe('whatsapp-agent-backend');
    expect(run.stderr).toContain(`report: ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Required vs current capacity');
    expect(page).toContain('<strong id="verdict">NOT READY</strong>');
    expect(page).toContain('0.019× (52× short)');
  });
});
