// Runs every benchmark file (packages/*/bench/*.bench.ts, apps/*/bench/*.bench.ts) in its own
// Node process with the workspace source condition, one after another, so numbers don't compete.
// Each bench repeats its measurements and records its goals (scripts/bench-summary.mjs); this
// ends with one table of every goal, its median and spread, and met / not met / within noise,
// with the machine's load before and after (figures from a busy machine say little).
// Run it through `npm run bench`, which provisions Node >= 22.12 first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad, pageTouchMicros, printTable, readGoals } from './bench-summary.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const filter = process.argv.slice(2);
const files = [];
for (const group of ['packages', 'apps']) {
  for (const pkg of readdirSync(join(root, group))) {
    const dir = join(root, group, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.bench.ts')) files.push(join(dir, f));
    }
  }
}
const tmp = mkdtempSync(join(tmpdir(), 'ctd-bench-'));
const results = join(tmp, 'goals.jsonl');
const loadBefore = machineLoad();
const touchBefore = pageTouchMicros();
process.stdout.write(
  `machine: ${loadBefore}; a fresh memory page costs ${touchBefore.toFixed(2)} µs to touch\n`,
);
let failed = 0;
const missing = [];
try {
  for (const file of files) {
    const rel = relative(root, file);
    if (filter.length && !filter.some((f) => rel.includes(f))) continue;
    process.stdout.write(`\n=== ${rel} (${machineLoad()})\n`);
    const before = readGoals(results).length;
    const r = spawnSync(process.execPath, ['--conditions=@ctd/source', '--no-warnings', file], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, CTD_BENCH_RESULTS: results },
    });
    if (r.status !== 0) {
      failed++;
      process.stdout.write(`!!! ${rel} exited with ${r.status}\n`);
    }
    if (readGoals(results).length === before) missing.push(rel);
  }
  process.stdout.write(
    `\n=== every goal (machine: ${loadBefore} at the start, ${machineLoad()} at the end; a fresh memory page costs ${touchBefore.toFixed(2)} µs to touch at the start, ${pageTouchMicros().toFixed(2)} µs at the end)\n`,
  );
  const goals = readGoals(results);
  printTable(goals, missing);
  if (goals.some((g) => g.verdict === 'not met') || missing.length) failed ||= 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
