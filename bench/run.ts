/**
 * `npm run bench [-- area …]`: runs the benchmark modules (bench/<area>.ts), prints each section as a
 * Markdown table and writes them all to bench/RESULTS.md with the machine and the command.
 * Results are compared as ratios against a peer measured in the same run, never as timed tests.
 */
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import type { BenchModule, BenchSection } from './section.js';

/** Areas in the order they run; each is bench/<area>.ts. */
const areas = ['model', 'sim', 'server', 'loadgen', 'report'];

function renderSection(section: BenchSection): string {
  const header = `| ${section.columns.join(' | ')} |`;
  const rule = `|${section.columns.map(() => '---').join('|')}|`;
  const rows = section.rows.map((row) => `| ${row.map((cell) => String(cell)).join(' | ')} |`);
  const notes = (section.notes ?? []).map((note) => `- ${note}`);
  return [
    `## ${section.title}`,
    '',
    `Command: \`${section.command}\``,
    '',
    header,
    rule,
    ...rows,
    '',
    ...notes,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const selected = requested.length > 0 ? areas.filter((area) => requested.includes(area)) : areas;
  const rendered: Record<string, string> = {};
  for (const area of selected) {
    const path = new URL(`./${area}.ts`, import.meta.url);
    if (!existsSync(path)) continue;
    const module = (await import(path.href)) as BenchModule;
    const sections = await module.run();
    rendered[area] = sections.map(renderSection).join('\n');
    console.log(rendered[area]);
  }
  writeResults(rendered);
}

/**
 * Rewrites only what ran: an area's fresh sections replace the sections of the same title in the
 * previous RESULTS.md, and sections that did not run this time (e.g. CAPSIM_BENCH_ONLY) are kept as
 * they were, each still under the command that produced it.
 */
function writeResults(rendered: Record<string, string>): void {
  const file = new URL('./RESULTS.md', import.meta.url);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const blocks: string[] = [];
  for (const area of areas) {
    const fresh = rendered[area];
    const old = new RegExp(`<!-- area:${area} -->\\n([\\s\\S]*?)<!-- /area:${area} -->`).exec(previous)?.[1];
    const body = fresh === undefined ? old : mergeSections(old ?? '', fresh);
    if (body !== undefined) blocks.push(`<!-- area:${area} -->\n${body}<!-- /area:${area} -->`);
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const text = `# Benchmark results\n\nProduced by \`npm run bench\` (one area: \`npm run bench -- <area>\`) on ${machine}.\n\n${blocks.join('\n\n')}\n`;
  writeFileSync(file, text);
}

/** Splits Markdown into `## ` sections keyed by their title line. */
function sections(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of markdown.split(/^(?=## )/m)) {
    if (part.startsWith('## '))
      result.set(part.slice(0, part.indexOf('\n')), part.endsWith('\n') ? part : `${part}\n`);
  }
  return result;
}

/** The old area's sections in order, each replaced by a fresh one of the same title; new ones appended. */
function mergeSections(old: string, fresh: string): string {
  const merged = sections(old);
  for (const [title, text] of sections(fresh)) merged.set(title, text);
  return [...merged.values()].join('\n').replace(/\n{3,}/g, '\n\n');
}

await main();
