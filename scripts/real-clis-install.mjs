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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installIntoCache, stderrLog } from './lib/install-into-cache.mjs';

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

const log = stderrLog('real-clis');

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
process.exit(
  installIntoCache({
    log,
    dir,
    packages: PACKAGES,
    stampName: 'ctd-real-clis-stamp.json',
    description: 'real CLIs for ctd tests',
    // No --ignore-scripts: Codex, Claude Code and Copilot pick their native binary through
    // optional dependencies, and some link it in a postinstall step.
    required: paths.bin,
    platformNeed: 'the real-CLI tests need linux-x64 (native CLI binaries)',
    output: paths,
    json: process.argv.includes('--json'),
  }),
);
