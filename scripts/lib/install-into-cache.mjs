// Installs pinned npm packages into a prefix under .cache/, once: a stamp file records what was
// installed, so a second run returns at once; a lock directory lets only one installer run at a
// time. Shared by scripts/real-clis-install.mjs and scripts/openclaw-e2e-install.mjs.
// Keep this file plain JS free of syntax newer than Node 18: it may run on the system Node (20)
// before the local Node exists (scripts/bootstrap.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A logger to stderr with the installer's tag (stdout is kept for the `--json` line).
 *
 * @param {string} tag - e.g. `real-clis`
 * @returns {(msg: string) => void}
 */
export function stderrLog(tag) {
  return (msg) => {
    process.stderr.write(`[${tag}] ${msg}\n`);
  };
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// One installer at a time (two test files, the e2e suite and the bench, or npm test and a
// developer may start together): a lock directory holding the owner's PID; a lock whose owner is
// gone is taken over.
function lock(lockDir, log) {
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

/**
 * Installs `packages` into `dir` unless its stamp says they are there already, then reports
 * `output`: as one JSON line on stdout with `json`, else a `ready` line on stderr. Returns the
 * exit code for the script: 0 ready, 1 the install failed (no registry, disk full, a check
 * failed), 3 this platform is not linux-x64 (both installs bring native binaries).
 *
 * @param {object} spec
 * @param {(msg: string) => void} spec.log - where progress goes (stderr)
 * @param {string} spec.dir - the prefix, e.g. `.cache/real-clis`
 * @param {string[]} spec.packages - exact `name@version` specs
 * @param {string} spec.stampName - the stamp file's name inside `dir`
 * @param {string} spec.description - the prefix's package.json description
 * @param {string[]} [spec.npmFlags] - extra `npm i` flags (e.g. `--ignore-scripts`)
 * @param {Record<string, string>} spec.required - the files that must exist once installed, by a short name
 * @param {string} spec.platformNeed - why another platform cannot run it (logged with exit 3)
 * @param {() => void} [spec.verify] - runs after `npm i`, before the stamp is written; throws to fail
 * @param {unknown} spec.output - what `--json` prints
 * @param {boolean} spec.json - print `output` as JSON on stdout
 * @returns {number} the exit code
 */
export function installIntoCache(spec) {
  const { log, dir, packages } = spec;
  const stampFile = join(dir, spec.stampName);
  const lockDir = `${dir}.lock`;
  const ready = () => {
    if (spec.json) process.stdout.write(`${JSON.stringify(spec.output)}\n`);
    else log(`ready: ${dir}`);
    return 0;
  };
  const installed = () => {
    try {
      const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
      return (
        JSON.stringify(stamp.packages) === JSON.stringify(packages) &&
        Object.values(spec.required).every((p) => existsSync(p))
      );
    } catch {
      return false;
    }
  };

  if (installed()) return ready();
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`${spec.platformNeed}; this is ${process.platform}-${process.arch}`);
    return 3;
  }

  mkdirSync(dirname(dir), { recursive: true });
  lock(lockDir, log);
  let code = 1;
  try {
    if (!installed()) {
      const started = Date.now();
      log(`installing ${packages.join(' ')} into ${dir} (about a minute the first time)`);
      mkdirSync(dir, { recursive: true });
      rmSync(stampFile, { force: true });
      writeFileSync(
        join(dir, 'package.json'),
        `${JSON.stringify({ private: true, description: spec.description })}\n`,
      );
      const npm = spawnSync(
        'npm',
        [
          'i',
          ...(spec.npmFlags ?? []),
          '--no-audit',
          '--no-fund',
          '--save-exact',
          '--loglevel=error',
          ...packages,
        ],
        { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      if (npm.error || npm.status !== 0) {
        throw new Error(`npm i failed (${npm.error ? npm.error.message : `exit ${npm.status}`})`);
      }
      const missing = Object.entries(spec.required).filter(([, p]) => !existsSync(p));
      if (missing.length) throw new Error(`npm i left out ${missing.map(([k]) => k).join(', ')}`);
      if (spec.verify) spec.verify();
      writeFileSync(stampFile, `${JSON.stringify({ packages, installedAt: new Date().toISOString() })}\n`);
      log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    code = 0;
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
  return code === 0 ? ready() : code;
}
