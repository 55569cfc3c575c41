// Release hygiene, checked on the real tarballs: `pnpm pack` builds the same package.json that
// `pnpm publish` (and so `changeset publish`) uploads, including the `.pnpmfile.cjs` hook that
// drops devDependencies and the `@ctd/source` condition. The packages must have been built
// (`npm test` builds first).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PLUGIN_DIR = fileURLToPath(new URL('../', import.meta.url));
/** The one repository URL every package names (a placeholder until the project has a public home). */
const REPOSITORY_URL = 'git+https://github.com/ctd-dev/cli-token-discovery.git';
const LICENSE_TEXT = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string };
  files?: string[];
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface Packed {
  /** The package folder in the repository. */
  readonly dir: string;
  readonly source: Manifest;
  readonly tarball: string;
  /** Where the tarball was unpacked (`<dest>/package`). */
  readonly root: string;
  /** The package.json inside the tarball, as text and parsed. */
  readonly text: string;
  readonly manifest: Manifest;
  readonly files: readonly string[];
}

/** The repository's pnpm (provisioned by the setup), else the one on PATH. */
function pnpm(): string {
  const local = join(REPO_ROOT, '.cache', 'bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

/** Every workspace package that is published (not `private`), as repository-relative folders. */
function publicPackageDirs(): string[] {
  const dirs: string[] = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(REPO_ROOT, group)).sort()) {
      const file = join(REPO_ROOT, group, name, 'package.json');
      if (!existsSync(file)) continue;
      const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (!m.private) dirs.push(`${group}/${name}`);
    }
  }
  return dirs;
}

async function pack(dir: string, dest: string): Promise<Packed> {
  const cwd = join(REPO_ROOT, dir);
  const out = join(dest, dir.replace('/', '__'));
  await mkdir(out, { recursive: true });
  const { stdout } = await run(pnpm(), ['pack', '--json', '--pack-destination', out], { cwd });
  const info = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
  await run('tar', ['-xzf', info.filename, '-C', out]);
  const root = join(out, 'package');
  const text = await readFile(join(root, 'package.json'), 'utf8');
  return {
    dir,
    source: JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as Manifest,
    tarball: info.filename,
    root,
    text,
    manifest: JSON.parse(text) as Manifest,
    files: info.files.map((f) => f.path).sort(),
  };
}

/** Every string target in an exports map. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(exportTargets);
}

const DIRS = publicPackageDirs();
let tmp: string;
const packed = new Map<string, Packed>();

beforeAll(async () => {
  if (!existsSync(join(PLUGIN_DIR, 'dist', 'index.js'))) {
    throw new Error('packages/openclaw-plugin/dist is missing: run `npm run setup` (or turbo build) first');
  }
  tmp = await mkdtemp(join(tmpdir(), 'ctd-packing-'));
  const results = await Promise.all(DIRS.map((dir) => pack(dir, tmp)));
  for (const p of results) packed.set(p.dir, p);
}, 60_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the plugin tarball installs anywhere', () => {
  const plugin = () => packed.get(relative(REPO_ROOT, PLUGIN_DIR).replace(/\/$/, '')) as Packed;

  it('names no workspace: or catalog: protocol, no devDependencies and no runtime dependency', () => {
    const p = plugin();
    expect(p.text).not.toMatch(/"(workspace|catalog):/);
    expect(p.manifest.devDependencies).toBeUndefined();
    // Everything is bundled; only the host itself is a (optional) peer.
    expect(p.manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(p.manifest.peerDependencies ?? {})).toEqual(['openclaw']);
    expect(p.manifest.peerDependenciesMeta?.openclaw?.optional).toBe(true);
  });

  it('holds the bundle, the manifest, README and LICENSE, and no sources', () => {
    const p = plugin();
    expect(p.files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'openclaw.plugin.json',
        'package.json',
        'README.md',
        'LICENSE',
      ]),
    );
    expect(p.files.filter((f) => f.startsWith('src/') || f.endsWith('.ts'))).toEqual([]);
  });

  it('`npm install --omit=dev` inside it succeeds with no registry and an empty cache', async () => {
    const p = plugin();
    const r = await run(
      'npm',
      [
        'install',
        '--omit=dev',
        '--ignore-scripts',
        '--offline',
        '--no-audit',
        '--no-fund',
        `--cache=${join(tmp, 'npm-cache')}`,
        // Unreachable: any attempt to fetch fails rather than quietly using the real registry.
        '--registry=http://127.0.0.1:9/',
      ],
      { cwd: p.root, env: { ...process.env, npm_config_userconfig: join(tmp, 'no-npmrc') } },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `npm install failed in ${p.root}:\n${error.stderr ?? ''}${error.stdout ?? error.message}`,
      );
    });
    expect(r.stderr).not.toMatch(/\bERR/);
    // Nothing was installed, because nothing is needed.
    const installed = existsSync(join(p.root, 'node_modules'))
      ? readdirSync(join(p.root, 'node_modules')).filter((n) => !n.startsWith('.'))
      : [];
    expect(installed).toEqual([]);
  });
});

describe('every public package is ready to publish', () => {
  it('the public packages are found', () => {
    expect(DIRS).toEqual(expect.arrayContaining(['packages/core', 'packages/openclaw-plugin']));
  });

  it.each(DIRS)(
    '%s: packed package.json has no @ctd/source condition, no devDependencies, no protocols',
    (dir) => {
      const p = packed.get(dir) as Packed;
      expect(p.text).not.toContain('@ctd/source');
      expect(p.text).not.toMatch(/"(workspace|catalog|link|file):/);
      expect(p.manifest.devDependencies).toBeUndefined();
      expect(
        exportTargets(p.manifest.exports).filter(
          (t) => t.includes('/src/') || (t.endsWith('.ts') && !t.endsWith('.d.ts')),
        ),
      ).toEqual([]);
    },
  );

  it.each(DIRS)('%s: MIT LICENSE, README, CHANGELOG in files, public access, the repository', (dir) => {
    const p = packed.get(dir) as Packed;
    expect(p.manifest.license).toBe('MIT');
    expect(p.files).toContain('LICENSE');
    expect(readFileSync(join(p.root, 'LICENSE'), 'utf8')).toBe(LICENSE_TEXT);
    expect(p.files).toContain('README.md');
    // CHANGELOG.md is written by `changeset version`; `files` makes sure it is packed then.
    expect(p.manifest.files).toContain('CHANGELOG.md');
    expect(p.manifest.publishConfig?.access).toBe('public');
    expect(p.manifest.repository).toEqual({ type: 'git', url: REPOSITORY_URL, directory: dir });
  });

  it('all share one version and one changesets fixed group, so bundles are released with what they bundle', () => {
    const versions = new Set(DIRS.map((d) => (packed.get(d) as Packed).source.version));
    expect(versions.size).toBe(1);
    const config = JSON.parse(readFileSync(join(REPO_ROOT, '.changeset', 'config.json'), 'utf8')) as {
      fixed: string[][];
    };
    expect(config.fixed).toEqual([['@ctd/*', '!@ctd/test-utils']]);
    for (const d of DIRS) expect((packed.get(d) as Packed).source.name).toMatch(/^@ctd\//);
  });
});
