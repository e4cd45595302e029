import type { Command } from 'commander';
import { action } from '../action.js';

interface ReportFlags {
  scenario?: string;
  out: string;
  markdown?: string;
  junit?: string;
  title?: string;
  check?: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Build a self-contained HTML report (plus Markdown/JUnit summaries) from results files')
    .argument(
      '<results...>',
      'results JSON: `capsim loadtest --out`, `capsim model --json`, `capsim simulate --json`',
    )
    .option('--scenario <name|file>', 'scenario the results ran (default: the one named in the results)')
    .option('-o, --out <file>', 'HTML report to write', 'report.html')
    .option('--markdown <file>', 'also write a Markdown summary (for a pull-request comment)')
    .option('--junit <file>', 'also write JUnit XML (each threshold and check a test case)')
    .option('--title <text>', 'report title')
    .option('--check', 'exit 1 when the verdict is NOT READY')
    .action(
      action(async (results: string[], flags: ReportFlags) => {
        const { buildReportFiles } = await import('../../reports/report-files.js');
        const written = await buildReportFiles({ results, ...flags });
        console.log(`verdict: ${written.verdict.toUpperCase()}`);
        console.log(`report: ${written.htmlPath}`);
        if (written.markdownPath) console.log(`markdown: ${written.markdownPath}`);
        if (written.junitPath) console.log(`junit: ${written.junitPath}`);
        return flags.check && written.verdict === 'not ready' ? 1 : 0;
      }),
    );
}
