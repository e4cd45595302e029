/**
 * JUnit XML for CI: one test case per requirement row, load-test threshold, simulated SLO and model
 * reproduction check. A failing item is a <failure>; an unmeasured requirement is <skipped>.
 */
import { formatValue } from './format.js';
import type { ReportInput } from './inputs.js';
import { summarizeVerdict } from './verdict.js';

export function escapeXml(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
      // Control characters other than tab/newline/return are not allowed in XML 1.0.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

interface TestCase {
  suite: string;
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  message?: string;
}

function collectCases(input: ReportInput): TestCase[] {
  const cases: TestCase[] = [];
  for (const row of summarizeVerdict(input).rows) {
    const bound = row.direction === 'atLeast' ? '>=' : '<=';
    const message = `required ${bound} ${formatValue(row.required, row.unit)}, measured ${formatValue(row.measured, row.unit)}`;
    cases.push({
      suite: 'requirements',
      name: `${row.dimension} (${row.id})`,
      outcome: row.status === 'pass' ? 'pass' : row.status === 'fail' ? 'fail' : 'skip',
      message,
    });
  }
  for (const test of input.loadTests ?? []) {
    for (const threshold of test.thresholds) {
      const actual =
        threshold.actual === undefined
          ? ''
          : ` (actual ${formatValue(threshold.actual, threshold.unit ?? '')})`;
      cases.push({
        suite: `thresholds: ${test.label}`,
        name: threshold.expression,
        outcome: threshold.pass ? 'pass' : 'fail',
        message: `${threshold.expression}${actual}`,
      });
    }
  }
  if (input.simulation?.slo !== undefined) {
    cases.push({
      suite: 'simulation',
      name: `SLO ${input.simulation.slo.description}`,
      outcome: input.simulation.slo.pass ? 'pass' : 'fail',
      message: input.simulation.slo.description,
    });
  }
  for (const check of input.model?.checks ?? []) {
    cases.push({
      suite: 'model checks',
      name: check.id,
      outcome: check.pass ? 'pass' : 'fail',
      message: `document ${check.expected}, model ${check.actual}, tolerance ${check.tolerance} (${check.source})`,
    });
  }
  return cases;
}

export function buildJunit(input: ReportInput): string {
  const cases = collectCases(input);
  const suites = new Map<string, TestCase[]>();
  for (const testCase of cases) suites.set(testCase.suite, [...(suites.get(testCase.suite) ?? []), testCase]);
  const prefix = `capsim.${input.scenario.name}`;
  const suiteXml = [...suites.entries()].map(([suite, members]) => {
    const failures = members.filter((member) => member.outcome === 'fail').length;
    const skipped = members.filter((member) => member.outcome === 'skip').length;
    const body = members
      .map((member) => {
        const open = `    <testcase classname="${escapeXml(`${prefix}.${suite}`)}" name="${escapeXml(member.name)}" time="0"`;
        if (member.outcome === 'pass') return `${open}/>`;
        const inner =
          member.outcome === 'fail'
            ? `<failure message="${escapeXml(member.message ?? 'failed')}" type="capacity"/>`
            : `<skipped message="${escapeXml(member.message ?? 'not measured')}"/>`;
        return `${open}>\n      ${inner}\n    </testcase>`;
      })
      .join('\n');
    return `  <testsuite name="${escapeXml(`${prefix}: ${suite}`)}" tests="${members.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${body}\n  </testsuite>`;
  });
  const failures = cases.filter((testCase) => testCase.outcome === 'fail').length;
  const skipped = cases.filter((testCase) => testCase.outcome === 'skip').length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(prefix)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${suiteXml.join('\n')}\n</testsuites>\n`;
}
