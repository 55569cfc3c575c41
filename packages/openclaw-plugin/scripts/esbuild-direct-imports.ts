// An esbuild plugin for the plugin's bundle: a named import from a workspace package's barrel
// (`import { toCtdError } from '@ctd/core'`) becomes an import from the file that defines the name
// (`…/core/src/errors.ts`). Why: with code splitting, esbuild gives a file to every entry that
// reaches it by import statements, also through a barrel's re-exports that entry never uses; so
// the plugin's small entry, which imports one function from `@ctd/core`, was handed the chunks of
// everything the runtime entry uses from the same barrels (zod, the history), and loaded them at
// start. Without the barrels in between, the entry reaches only the files it uses. Only plain
// `export { a, b as c } from './file.ts'` lines of a barrel are followed; any other import is left as is.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** `@ctd/core` → packages/core/src/index.ts, `@ctd/core/node` → packages/core/src/node/index.ts. */
function barrelFile(specifier: string): string | undefined {
  const m = /^@ctd\/([\w-]+)(?:\/([\w-]+))?$/.exec(specifier);
  if (!m) return undefined;
  const file = join(PACKAGES, m[1] as string, 'src', m[2] ? `${m[2]}/index.ts` : 'index.ts');
  return existsSync(file) ? file : undefined;
}

type Origin = { file: string; name: string };
const barrels = new Map<string, Map<string, Origin>>();

/** Exported value name → the file and name it comes from, for one barrel. */
function barrelExports(specifier: string): Map<string, Origin> | undefined {
  const file = barrelFile(specifier);
  if (!file) return undefined;
  let map = barrels.get(file);
  if (map) return map;
  map = new Map();
  const source = readFileSync(file, 'utf8');
  for (const [, names, from] of source.matchAll(/^export\s*\{([^}]*)\}\s*from\s*'([^']+)';/gm)) {
    for (const spec of specifiers(names as string)) {
      const target = (from as string).startsWith('.')
        ? resolve(dirname(file), from as string)
        : (from as string);
      // A barrel re-exporting another package's barrel: follow it to the defining file.
      const inner = target.startsWith('@') ? barrelExports(target)?.get(spec.name) : undefined;
      map.set(spec.alias, inner ?? { file: target, name: spec.name });
    }
  }
  barrels.set(file, map);
  return map;
}

/** The value specifiers of `{ a, b as c, type T }` (type-only ones dropped: they are erased). */
function specifiers(list: string): { name: string; alias: string }[] {
  const out: { name: string; alias: string }[] = [];
  for (const raw of list.split(',')) {
    const s = raw.replace(/\/\/.*$|\/\*.*?\*\//gm, '').trim();
    if (!s || s.startsWith('type ')) continue;
    const [name, alias] = s.split(/\s+as\s+/) as [string, string | undefined];
    out.push({ name, alias: alias ?? name });
  }
  return out;
}

function rewrite(source: string): string {
  return source.replace(
    /^(import|export)\s*\{([^}]*)\}\s*from\s*'(@ctd\/[\w-]+(?:\/[\w-]+)?)';/gm,
    (whole, kind: string, list: string, specifier: string) => {
      const map = barrelExports(specifier);
      if (!map) return whole;
      const byFile = new Map<string, string[]>();
      for (const { name, alias } of specifiers(list)) {
        const origin = map.get(name);
        if (!origin) return whole; // not a plain re-export: keep the barrel import
        const parts = byFile.get(origin.file) ?? [];
        parts.push(origin.name === alias ? alias : `${origin.name} as ${alias}`);
        byFile.set(origin.file, parts);
      }
      return [...byFile]
        .map(([file, parts]) => `${kind} { ${parts.join(', ')} } from ${JSON.stringify(file)};`)
        .join(' ');
    },
  );
}

/** The esbuild plugin (see the top of this file). */
export const directImports: Plugin = {
  name: 'ctd-direct-imports',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/][\w-]+[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes("from '@ctd/")) return undefined;
      return { contents: rewrite(source), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};
