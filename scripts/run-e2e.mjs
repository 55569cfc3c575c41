#!/usr/bin/env node
// Runs the end-to-end suite against a real OpenClaw gateway: installs the pinned Node, OpenClaw
// and ws into .cache/openclaw-e2e/ (once), then runs packages/openclaw-plugin/e2e with vitest.
// Run it through `npm run test:e2e`, which provisions Node and pnpm and builds the packages first.
// Extra arguments go to vitest (e.g. `npm run test:e2e -- -t 'import-manual'`).
// A failing run ends with the checks that failed and the paths of the logs it kept.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSummary, reportArgs } from './vitest-summary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const install = spawnSync(process.execPath, [join(root, 'scripts', 'openclaw-e2e-install.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (install.status === 3) {
  process.stderr.write('[test:e2e] skipped: this machine cannot run the pinned OpenClaw (see above)\n');
  process.exit(0);
}
if (install.status !== 0) {
  process.stderr.write(`[test:e2e] the OpenClaw install failed (exit ${install.status})\n`);
  process.exit(1);
}
const report = join(root, '.cache', 'vitest-e2e-report.json');
// Written by the suite when it keeps its sandbox (a failure, or CTD_E2E_KEEP=1).
const resultFile = join(root, '.cache', 'e2e-result.json');
rmSync(report, { force: true });
rmSync(resultFile, { force: true });
const vitest = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '-c',
    'packages/openclaw-plugin/vitest.e2e.config.ts',
    ...reportArgs(report),
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CTD_E2E_RESULT_FILE: resultFile } },
);
printFailures(report);
printKept(resultFile);
printSummary(report, 'e2e');
process.exit(vitest.status ?? 1);

/** One line per failed check, from vitest's JSON report: its full name and the first line of the error. */
function printFailures(file) {
  if (!existsSync(file)) return;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    for (const suite of r.testResults ?? []) {
      for (const t of suite.assertionResults ?? []) {
        if (t.status !== 'failed') continue;
        const why = String(t.failureMessages?.[0] ?? '').split('\n')[0];
        process.stderr.write(`[test:e2e] FAILED: ${t.fullName ?? t.title}${why ? ` — ${why}` : ''}\n`);
      }
      if (suite.status === 'failed' && suite.message) {
        process.stderr.write(`[test:e2e] FAILED: ${suite.name}: ${String(suite.message).split('\n')[0]}\n`);
      }
    }
  } catch {
    // A partial report: vitest's own output above says what happened.
  }
}

/** Where the suite kept its sandbox and logs, when it did. */
function printKept(file) {
  if (!existsSync(file)) return;
  try {
    const note = JSON.parse(readFileSync(file, 'utf8'));
    process.stderr.write(`[test:e2e] kept the sandbox ${note.kept}; logs:\n`);
    for (const log of note.logs ?? []) process.stderr.write(`[test:e2e]   ${log}\n`);
  } catch {
    process.stderr.write(`[test:e2e] see ${file}\n`);
  }
}
