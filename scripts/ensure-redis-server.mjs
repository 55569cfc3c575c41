#!/usr/bin/env node
// Makes sure Debian's redis-server is installed, for the Redis history's tests and benchmark
// (they start their own servers on loopback, one per test file, and stop them by PID). Installs it
// with apt when it is missing and we are root: `apt-get update` once, then `apt-get install`.
// Elsewhere (not root, no apt) it says what to install and exits 0: those tests then fail with
// the same message. Keep this file free of syntax newer than Node 18 (bootstrap runs it early).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

function found() {
  if (CANDIDATES.some((c) => existsSync(c))) return true;
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

function log(msg) {
  process.stderr.write(`[redis] ${msg}\n`);
}

if (!found()) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    log(
      'redis-server is not installed (Debian: apt-get install redis-server); the Redis history tests need it',
    );
  } else {
    log('installing redis-server (apt-get update; apt-get install redis-server)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { stdio: ['ignore', 2, 2], env };
    spawnSync('apt-get', ['update', '-qq'], opts);
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], opts);
    if (r.status !== 0 || !found()) {
      log(`apt-get install redis-server failed (${r.status})`);
      process.exit(1);
    }
  }
}
