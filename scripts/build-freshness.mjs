// Whether the bundled `ctd` (apps/ctd/dist/cli.js) is newer than everything it is built from, so
// that `npm run ctd` and `npm start` skip the build when nothing changed (a no-op turbo run costs
// about two seconds; this check costs a few milliseconds). Used by bootstrap.mjs and by tests.
// Keep this file free of syntax newer than Node 18: bootstrap.mjs may run on an old system Node.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time (ms) of the files under `dir` (tests and dist/ excluded), or 0. */
function newestUnder(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      newest = Math.max(newest, newestUnder(path));
    } else if (entry.isFile() && !/\.test\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/**
 * The files the ctd bundle is built from: every workspace package's src/ and package.json, the
 * CLI's own, the build configs and the lockfile.
 */
export function newestCtdInput(root) {
  let newest = Math.max(
    mtime(join(root, 'pnpm-lock.yaml')),
    mtime(join(root, 'tsup.config.base.ts')),
    mtime(join(root, 'tsconfig.base.json')),
  );
  for (const group of ['packages', 'apps']) {
    let names = [];
    try {
      names = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const name of names) {
      const pkg = join(root, group, name);
      newest = Math.max(
        newest,
        mtime(join(pkg, 'package.json')),
        mtime(join(pkg, 'tsup.config.ts')),
        newestUnder(join(pkg, 'src')),
      );
    }
  }
  return newest;
}

/** The path of the bundled CLI. */
export function ctdBundle(root) {
  return join(root, 'apps', 'ctd', 'dist', 'cli.js');
}

/** Whether the bundled CLI exists and is newer than all of its inputs. */
export function ctdBundleIsFresh(root) {
  const built = mtime(ctdBundle(root));
  return built > 0 && built >= newestCtdInput(root);
}
