#!/usr/bin/env node
// Runs the end-to-end suite against a real OpenClaw gateway: installs the pinned Node, OpenClaw
// and ws into .cache/openclaw-e2e/ (once), then runs packages/openclaw-plugin/e2e with vitest.
// Run it through `npm run test:e2e`, which provisions Node and pnpm and builds the packages first.
// Extra arguments go to vitest (e.g. `npm run test:e2e -- -t 'import-manual'`).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
rmSync(report, { force: true });
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
  { cwd: root, stdio: 'inherit' },
);
printSummary(report, 'e2e');
process.exit(vitest.status ?? 1);
