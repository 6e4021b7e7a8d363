// `npm test`: unit tests (src), then black-box tests (test/e2e), as two runs of node's test runner through tsx.
// Each phase prints its own summary; the combined summary comes last, in the runner's own format, so whoever
// reads the final lines (CI) sees the whole run. The exit code is non-zero when either phase failed.
// Arguments: test files or folders to run instead of all (still split into the two phases), and runner flags.
// Node 20's test runner does not expand globs, so the test files are collected here.
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('-'));
const passThrough = args.filter((a) => a.startsWith('-'));

const files = [];
for (const root of roots.length ? roots : ['src', 'test']) {
  if (root.endsWith('.test.ts')) {
    files.push(root);
    continue;
  }
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.test.ts')) files.push(join(entry.parentPath ?? entry.path, entry.name));
  }
}
files.sort();
const isE2e = (f) => join(f).startsWith(join('test', 'e2e') + sep);
const phases = [
  { name: 'unit', files: files.filter((f) => !isE2e(f)) },
  { name: 'e2e', files: files.filter(isE2e) },
].filter((p) => p.files.length > 0);

const COUNTERS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'];
// The closing lines of the tap ("# pass 3") and spec ("ℹ pass 3") reporters, colours stripped.
const summaryLine = /^(?:# |\u2139 )(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/;
const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Runs one phase, passing its output through, and returns its summary counters and exit code. */
function runPhase(phase) {
  return new Promise((resolve) => {
    const reporter = passThrough.some((a) => a.startsWith('--test-reporter'))
      ? []
      : [`--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './scripts/test-defaults.mjs',
        '--test',
        '--test-concurrency=2',
        ...reporter,
        ...passThrough,
        ...phase.files,
      ],
      { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } },
    );
    const counts = {};
    let pending = '';
    const scan = (line) => {
      const m = summaryLine.exec(stripAnsi(line).trim());
      if (m) counts[m[1]] = Number(m[2]);
    };
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) scan(line);
    });
    child.on('close', (code, signal) => {
      scan(pending);
      resolve({ counts, code: code ?? (signal ? 1 : 0), complete: COUNTERS.every((c) => c in counts) });
    });
  });
}

const results = [];
for (const phase of phases) {
  process.stdout.write(`\n# phase ${phase.name}: ${phase.files.length} test files\n`);
  results.push({ phase, ...(await runPhase(phase)) });
}

const total = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
for (const r of results) for (const c of COUNTERS) total[c] += r.counts[c] ?? 0;
// A phase that failed without a failing test (killed, crashed, no summary) counts as one failure, so the combined
// lines never read as a pass when the exit code says otherwise.
for (const r of results) if (!r.complete || (r.code !== 0 && !r.counts.fail)) total.fail += 1;
const failed = results.filter((r) => r.code !== 0 || !r.complete);

const out = ['', `# summary of ${results.map((r) => r.phase.name).join(' and ')}`];
for (const r of results)
  out.push(
    `# ${r.phase.name}: ${r.counts.pass ?? 0} passed, ${r.counts.fail ?? 0} failed, ${r.counts.skipped ?? 0} skipped` +
      (r.complete ? '' : ' (ended without a summary)') +
      ` (exit ${r.code})`,
  );
for (const c of COUNTERS) out.push(`# ${c} ${c === 'duration_ms' ? total[c].toFixed(3) : total[c]}`);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(failed.length > 0 ? 1 : 0);
