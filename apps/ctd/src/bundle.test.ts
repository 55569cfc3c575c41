// The built `ctd` as users get it: through the repository's `npm run ctd` (pipe-clean, no rebuild
// when up to date), and as a packed tarball installed with plain npm into an empty prefix (no
// workspace, no registry). One file, so that its steps never race over apps/ctd/dist.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScanReportSchema } from '@ctd/core';
import {
  createTempHome,
  type FakeProvider,
  fixtures,
  startFakeChatGpt,
  startFakeOpenAI,
  startFakeProxy,
  type TempHome,
} from '@ctd/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctdBundle, ctdBundleIsFresh } from '../../../scripts/build-freshness.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const appDir = join(root, 'apps', 'ctd');
const bundle = ctdBundle(root);
const pkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { version: string };
// Only what a user's shell would hold: no CTD_* or provider variables of the machine running the tests.
const basePath = [dirname(process.execPath), process.env.PATH ?? ''].join(':');

let home: TempHome;
beforeAll(async () => {
  home = await createTempHome();
  await fixtures.codex.writeCodexApiKey(home);
});
afterAll(() => home.cleanup());

function npmRunCtd(args: string[]) {
  return spawnSync('npm', ['run', '-s', 'ctd', '--', ...args], {
    cwd: root,
    env: { HOME: home.path, PATH: basePath },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

describe('npm run -s ctd', () => {
  it('prints only the JSON on stdout, and does not rebuild an up-to-date bundle', () => {
    // The first run builds the bundle when it is stale: its chatter goes to stderr.
    const first = npmRunCtd(['scan', '--json', '--offline']);
    expect(first.status, first.stderr).toBe(0);
    const report = ScanReportSchema.parse(JSON.parse(first.stdout));
    expect(report.credentials.map((c) => c.source)).toEqual(['codex-cli']);
    expect(ctdBundleIsFresh(root)).toBe(true);
    const builtAt = statSync(bundle).mtimeMs;
    const second = npmRunCtd(['scan', '--json', '--offline']);
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 1 });
    expect(second.stderr).not.toContain('[setup]');
    expect(statSync(bundle).mtimeMs).toBe(builtAt);
  });
});

describe('the packed @ctd/cli tarball', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctd-pack-'));
    if (!ctdBundleIsFresh(root)) expect(npmRunCtd(['--version']).status).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('installs with plain npm into an empty prefix, offline, and runs (also through npx)', async () => {
    const localPnpm = join(root, '.cache', 'bin', 'pnpm');
    const pack = spawnSync(existsSync(localPnpm) ? localPnpm : 'pnpm', ['pack', '--pack-destination', dir], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join(dir, (await readdir(dir)).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
    const manifest = JSON.parse(
      spawnSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout,
    );
    expect(manifest).toMatchObject({ name: '@ctd/cli', bin: { ctd: './dist/cli.js' } });
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(JSON.stringify(manifest)).not.toMatch(/workspace:|catalog:|@ctd\/source/);

    const npmEnv = { HOME: home.path, PATH: basePath, npm_config_cache: join(dir, 'npm-cache') };
    const prefix = join(dir, 'prefix');
    const install = spawnSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball],
      { env: npmEnv, encoding: 'utf8', timeout: 60_000 },
    );
    expect(install.status, install.stderr).toBe(0);
    const ctd = join(prefix, 'bin', 'ctd');
    const version = spawnSync(ctd, ['--version'], { env: npmEnv, encoding: 'utf8' });
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const scan = spawnSync(ctd, ['scan', '--offline'], { env: npmEnv, encoding: 'utf8' });
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stdout).toContain('Found 1 credential');
    expect(scan.stdout).not.toContain(fixtures.codex.CODEX.apiKey);

    const npx = spawnSync(
      'npm',
      ['exec', '--offline', '--yes', '--package', tarball, '--', 'ctd', '--version'],
      { cwd: dir, env: npmEnv, encoding: 'utf8', timeout: 60_000 },
    );
    expect(npx.status, npx.stderr).toBe(0);
    expect(npx.stdout).toBe(`${pkg.version}\n`);
  });
});

describe('the built ctd', () => {
  // The bundle carries undici (for proxies) as CommonJS inside an ES module: check it really works.
  it('checks through HTTP_PROXY', async () => {
    if (!ctdBundleIsFresh(root)) expect(npmRunCtd(['--version']).status).toBe(0);
    const accessToken = fixtures.codex.codexAccessToken(4_100_000_000);
    const apiKey = 'sk-test-cli-revoked-PLACEHOLDER-000000000000';
    const proxyHome = await createTempHome();
    await fixtures.codex.writeCodexChatGpt(proxyHome, '.codex', accessToken);
    const chatgpt: FakeProvider = await startFakeChatGpt({ keys: { [accessToken]: 'valid' } });
    const openai: FakeProvider = await startFakeOpenAI({ keys: { [apiKey]: 'revoked' } });
    const proxy = await startFakeProxy();
    try {
      const child = spawn(process.execPath, [bundle, 'scan', '--json'], {
        env: {
          ...proxyHome.env,
          CODEX_API_KEY: apiKey,
          CTD_CHATGPT_BASE_URL: chatgpt.baseUrl,
          CTD_OPENAI_BASE_URL: openai.baseUrl,
          HTTP_PROXY: proxy.url,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      const report = ScanReportSchema.parse(JSON.parse(out));
      expect(report.credentials.map((c) => c.validation?.status).sort()).toEqual(['invalid', 'valid']);
      expect(proxy.targets).toEqual(
        expect.arrayContaining([new URL(chatgpt.origin).host, new URL(openai.origin).host]),
      );
    } finally {
      await Promise.all([proxy.close(), chatgpt.close(), openai.close()]);
      await proxyHome.cleanup();
    }
  });
});
