#!/usr/bin/env node
// Installs the real AI coding CLIs the real-CLI tests run (pinned versions, from the npm registry)
// into .cache/real-clis/, once: a stamp file records what was installed, so a second run returns at
// once. The tests let each CLI write its own store and check that `scan()` finds it exactly.
// Usage: node scripts/real-clis-install.mjs [--json]
//   --json  print one JSON line {dir, bin: {<cli>: path}, versions: {<package>: version}} on stdout
//           (logs go to stderr)
// Exit codes: 0 ready, 1 the install failed (no registry, disk full), 3 this platform cannot run
// them (the CLIs ship native binaries; the tests are written for linux-x64).
// Keep this file free of syntax newer than Node 18: it may run before the local Node exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache', 'real-clis');
// The versions the formats in docs/cli-formats.md were checked against. Change them together.
const PACKAGES = [
  '@openai/codex@0.171.0',
  '@google/gemini-cli@0.61.0',
  '@qwen-code/qwen-code@0.24.4',
  '@anthropic-ai/claude-code@2.1.332',
  'opencode-ai@1.18.33',
  '@github/copilot@1.0.102',
];
// The command each package installs, by a short name the tests use.
const BINS = {
  codex: 'codex',
  gemini: 'gemini',
  qwen: 'qwen',
  claude: 'claude',
  opencode: 'opencode',
  copilot: 'copilot',
};
const stampFile = join(dir, 'ctd-real-clis-stamp.json');
const lockDir = `${dir}.lock`;
const json = process.argv.includes('--json');

function versions() {
  const out = {};
  for (const spec of PACKAGES) {
    const at = spec.lastIndexOf('@');
    out[spec.slice(0, at)] = spec.slice(at + 1);
  }
  return out;
}

const paths = {
  dir,
  bin: Object.fromEntries(Object.entries(BINS).map(([k, v]) => [k, join(dir, 'node_modules', '.bin', v)])),
  versions: versions(),
};

function log(msg) {
  process.stderr.write(`[real-clis] ${msg}\n`);
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
      Object.values(paths.bin).every((p) => existsSync(p))
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

// One installer at a time (two test files, or npm test and a developer, may start together): a
// lock directory holding the owner's PID; a lock whose owner is gone is taken over.
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

// The opencode, Gemini CLI and Qwen Code logins are typed into their terminal UIs through tmux;
// the keychain tests run a real Secret Service (gnome-keyring-daemon in a D-Bus session) and
// read it with secret-tool. Install them where that is possible without asking (root on Debian);
// the tests skip those cases without them.
const DEBIAN_TOOLS = [
  { command: 'tmux', args: ['-V'], pkg: 'tmux' },
  { command: 'secret-tool', args: ['--version'], pkg: 'libsecret-tools' },
  { command: 'gnome-keyring-daemon', args: ['--version'], pkg: 'gnome-keyring' },
  { command: 'dbus-run-session', args: ['--version'], pkg: 'dbus' },
];
function ensureDebianTools() {
  const missing = DEBIAN_TOOLS.filter((t) => spawnSync(t.command, t.args).error);
  if (!missing.length) return;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  if (spawnSync('apt-get', ['--version']).status !== 0) return;
  const pkgs = missing.map((t) => t.pkg);
  log(`installing ${pkgs.join(' ')} (apt-get) for the real-CLI and keychain tests`);
  spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

ensureDebianTools();
if (installed()) done();
if (process.platform !== 'linux' || process.arch !== 'x64') {
  log(`the real-CLI tests need linux-x64 (native CLI binaries); this is ${process.platform}-${process.arch}`);
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
    writeFileSync(join(dir, 'package.json'), '{"private":true,"description":"real CLIs for ctd tests"}\n');
    // Lifecycle scripts stay on: Codex, Claude Code and Copilot pick their native binary through
    // optional dependencies, and some link it in a postinstall step.
    const npm = spawnSync(
      'npm',
      ['i', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...PACKAGES],
      { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (npm.error || npm.status !== 0) {
      throw new Error(`npm i failed (${npm.error ? npm.error.message : `exit ${npm.status}`})`);
    }
    const missing = Object.entries(paths.bin).filter(([, p]) => !existsSync(p));
    if (missing.length) throw new Error(`npm i left out ${missing.map(([k]) => k).join(', ')}`);
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
