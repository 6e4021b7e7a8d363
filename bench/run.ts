/**
 * `npm run bench`: runs every bench/*.bench.ts and prints its figures. A benchmark module default-exports a
 * BenchModule; speed is always reported as a ratio against a reference measured in the same run, so the
 * figures mean the same on a laptop and on a CI runner. Loops are bounded; traffic stays on loopback.
 *   npm run bench                 all benchmarks
 *   npm run bench -- signin       only files whose name contains "signin"
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchFigure {
  readonly label: string;
  readonly value: number;
  /** e.g. '/s', 'ms', 'x' (a ratio), '%'. */
  readonly unit: string;
}

export interface BenchResult {
  readonly figures: readonly BenchFigure[];
  /** One sentence on how to read the figures, e.g. the target they are measured against. */
  readonly verdict?: string;
}

export interface BenchModule {
  readonly name: string;
  run(): Promise<BenchResult>;
}

const format = (f: BenchFigure): string => {
  const digits = Math.abs(f.value) >= 100 ? 0 : Math.abs(f.value) >= 10 ? 1 : 3;
  return `  ${f.label.padEnd(48)} ${f.value.toFixed(digits).padStart(10)} ${f.unit}`;
};

const main = async (): Promise<number> => {
  const filter = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no benchmarks${filter ? ` matching "${filter}"` : ''} in ${dir}\n`);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as { default?: BenchModule };
    const bench = mod.default;
    if (!bench || typeof bench.run !== 'function') {
      process.stderr.write(`${file}: does not default-export a BenchModule; skipped\n`);
      failed++;
      continue;
    }
    process.stdout.write(`${bench.name} (${file})\n`);
    try {
      const result = await bench.run();
      for (const f of result.figures) process.stdout.write(`${format(f)}\n`);
      if (result.verdict) process.stdout.write(`  ${result.verdict}\n`);
    } catch (e) {
      failed++;
      process.stdout.write(`  failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    process.stdout.write('\n');
  }
  return failed ? 1 : 0;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main();
