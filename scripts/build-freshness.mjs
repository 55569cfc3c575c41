// Whether the bundled `ctd` (apps/ctd/dist/cli.js) was built from exactly the sources in the tree,
// so that `npm run ctd` and `npm start` skip the build when nothing changed (a no-op turbo run costs
// about two seconds; this check hashes ~1 MB of sources in ~10 ms). The build records the hash of
// its inputs next to the bundle (apps/ctd/tsup.config.ts); content, not mtimes, so a bundle that
// turbo restores from its cache counts as fresh exactly when its inputs are the same.
// Keep this file free of syntax newer than Node 18: bootstrap.mjs may run on an old system Node.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir` (tests, node_modules and dist/ excluded), sorted. */
function filesUnder(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') filesUnder(path, out);
    } else if (entry.isFile() && !/\.test\.ts$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

function listDir(dir) {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * The SHA-256 of what the ctd bundle is built from: every workspace package's src/, package.json
 * and tsup config, the shared build configs and the lockfile (paths and contents).
 */
export function ctdInputsHash(root) {
  const files = ['pnpm-lock.yaml', 'tsup.config.base.ts', 'tsconfig.base.json'].map((f) => join(root, f));
  for (const group of ['packages', 'apps']) {
    for (const name of listDir(join(root, group))) {
      const pkg = join(root, group, name);
      files.push(join(pkg, 'package.json'), join(pkg, 'tsup.config.ts'));
      filesUnder(join(pkg, 'src'), files);
    }
  }
  const hash = createHash('sha256');
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The path of the bundled CLI. */
export function ctdBundle(root) {
  return join(root, 'apps', 'ctd', 'dist', 'cli.js');
}

/** Where the build records the hash of its inputs. */
export function ctdInputsStamp(root) {
  return join(root, 'apps', 'ctd', 'dist', 'build-inputs.sha256');
}

/** Whether the bundled CLI exists and was built from the current inputs. */
export function ctdBundleIsFresh(root) {
  const stamp = ctdInputsStamp(root);
  if (!existsSync(ctdBundle(root)) || !existsSync(stamp)) return false;
  return readFileSync(stamp, 'utf8').trim() === ctdInputsHash(root);
}
