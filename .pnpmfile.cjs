// pnpm hooks. `beforePacking` shapes the package.json that `pnpm pack` and `pnpm publish` (and so
// `changeset publish`) put in a tarball, so that a packed package installs anywhere:
// - devDependencies go: they name workspace-only packages (`@ctd/test-utils` is never published),
//   and `npm install` run inside an unpacked package resolves them even with `--omit=dev`;
// - the `@ctd/source` export condition goes: it points at `src/*.ts`, which is not packed, and is
//   only for tests and type checks inside this repository;
// - scripts go, except install lifecycles: `build` and `lint:pkg` only make sense in the repository.
// Editing this file changes `pnpmfileChecksum` in pnpm-lock.yaml: run `pnpm install` after.
'use strict';

const SOURCE_CONDITION = '@ctd/source';
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** The exports map without the source condition (strings and arrays are kept as they are). */
function withoutSourceCondition(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== SOURCE_CONDITION) out[key] = withoutSourceCondition(inner);
  }
  return out;
}

module.exports = {
  hooks: {
    beforePacking(manifest) {
      delete manifest.devDependencies;
      if (manifest.scripts) {
        const kept = Object.entries(manifest.scripts).filter(([name]) => INSTALL_SCRIPTS.includes(name));
        if (kept.length > 0) manifest.scripts = Object.fromEntries(kept);
        else delete manifest.scripts;
      }
      if (manifest.exports !== undefined) manifest.exports = withoutSourceCondition(manifest.exports);
      return manifest;
    },
  },
};
