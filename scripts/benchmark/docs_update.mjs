// After a full run: docs/BENCHMARKS.md gets the latest tables, plot, command and machine
// (between its generated-section markers; the hand-written text around them stays), the
// plot is copied to docs/benchmarks.svg (committed with the docs), and the README's
// "Benchmarks" section gets the goal summary (between its own markers).
import fs from 'node:fs';
import path from 'node:path';
import { goalTable, machineLine, markdownReport, stepLoadLine } from './report_markdown.mjs';

export const DOCS_BEGIN = '<!-- benchmarks:begin (written by scripts/bench.sh: edit outside these markers) -->';
export const DOCS_END = '<!-- benchmarks:end -->';
export const README_BEGIN = '<!-- benchmarks-summary:begin (written by scripts/bench.sh) -->';
export const README_END = '<!-- benchmarks-summary:end -->';

function replaceBetween(text, begin, end, body, file) {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no "${begin}" ... "${end}" markers: the benchmark does not know where its section goes`);
  return text.slice(0, from + begin.length) + '\n' + body.trim() + '\n' + text.slice(to);
}

export function updateDocs({ projectRoot, results, svg, resultsFolder }) {
  const docs = path.join(projectRoot, 'docs/BENCHMARKS.md');
  const readme = path.join(projectRoot, 'README.md');
  fs.writeFileSync(path.join(projectRoot, 'docs/benchmarks.svg'), svg);

  // results.md without its title, its headings one level down, under the section's own heading.
  const report = markdownReport(results).split('\n').slice(1).join('\n').replace(/^## /gm, '### ');
  const generated = [
    `## Latest results`, '',
    `Produced by \`${results.command}\` (${results.mode} run) on ${results.started_at}, in ${Math.round(results.duration_seconds / 60)} min.  `,
    `Machine: ${machineLine(results)}.  `,
    `${stepLoadLine(results)}  `,
    `Raw repetitions: \`results/${path.basename(resultsFolder)}/results.json\` on that machine (not committed).`, '',
    '![Benchmark plot: native against page, scaling, builds, patch latency](benchmarks.svg)', '',
    report.replace(/^Command: .*\n/m, '').replace(/^Started .*\n/m, '').replace(/^Machine: .*\n/m, '').replace(/^Load average \(1 min\) .*\n/m, ''),
  ].join('\n');
  fs.writeFileSync(docs, replaceBetween(fs.readFileSync(docs, 'utf8'), DOCS_BEGIN, DOCS_END, generated, 'docs/BENCHMARKS.md'));

  const summary = [
    `Latest full run: \`${results.command}\` on ${results.started_at.slice(0, 10)}, ${machineLine(results)}.`, '',
    goalTable(results), '',
    'All figures, the plot and how each is measured: [docs/BENCHMARKS.md](docs/BENCHMARKS.md).',
  ].join('\n');
  fs.writeFileSync(readme, replaceBetween(fs.readFileSync(readme, 'utf8'), README_BEGIN, README_END, summary, 'README.md'));
}
