// The Control UI module: bundled for the browser as `openclaw plugins build` does (one
// self-contained file), then activated in Chromium by a fake host with the operator's scopes.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundle,
  closeSharedBrowser,
  type ServedPage,
  screenshot,
  servePage,
  sharedBrowser,
} from '../../../ui-lit/src/testing/browser.ts';

type Browser = Awaited<ReturnType<typeof sharedBrowser>>;

const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));
const FAKE_HOST = fileURLToPath(new URL('./fake-host.page.ts', import.meta.url));
let browser: Browser;
let served: ServedPage;

beforeAll(async () => {
  const [b, script] = await Promise.all([sharedBrowser(), bundle(FAKE_HOST)]);
  browser = b;
  served = await servePage(script);
}, 120_000);

afterAll(async () => {
  await served?.close();
  await closeSharedBrowser();
});

describe('the Control UI module', () => {
  it('bundles into one self-contained browser file with Lit and no Node built-in, under 80 KB gzipped', async () => {
    const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const seen: string[] = [];
    const out = await build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      minify: true,
      conditions: ['@ctd/source', 'browser', 'import'],
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-node',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (a) => {
              if (nodeBuiltins.has(a.path)) seen.push(a.path);
              return undefined;
            });
          },
        },
      ],
    });
    expect(seen).toEqual([]);
    expect(out.outputFiles).toHaveLength(1);
    const gz = gzipSync(out.outputFiles[0]!.text).length;
    process.stdout.write(`control-ui bundle: ${gz} bytes gzipped\n`);
    expect(gz).toBeLessThanOrEqual(80 * 1024);
  });

  it('registers its page and sidebar entry and talks through host.request (tokenDiscovery.*)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(served.url);
    await page.waitForFunction(() => 'ctdHost' in window);
    await page.evaluate(() => window.ctdHost.mount(true));
    const rows = page.locator('ctd-token-panel .body [role="row"]');
    await expect.poll(() => rows.count()).toBe(8);
    expect(await page.evaluate(() => [window.ctdHost.pages.map((p) => p.id), window.ctdHost.nav])).toEqual([
      ['token-discovery'],
      ['token-discovery'],
    ]);
    await page.getByRole('button', { name: 'Scan now' }).click();
    await expect.poll(() => page.getByText(/^Found 8/).count()).toBe(1);
    const form = page.locator('ctd-settings-form');
    await form.getByLabel('Rotation strategy').selectOption('priority');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByText('Saved.').count()).toBe(1);
    const requests = await page.evaluate(() => window.ctdHost.requests);
    expect(new Set(requests)).toEqual(
      new Set([
        'tokenDiscovery.status',
        'tokenDiscovery.getConfig',
        'tokenDiscovery.getHistory',
        'tokenDiscovery.scan',
        'tokenDiscovery.setConfig',
      ]),
    );
    // A gateway event of the plugin (a login refreshed in the background) reloads the status.
    const before = requests.filter((r) => r === 'tokenDiscovery.status').length;
    await page.evaluate(() => window.ctdHost.emit('plugin.cli-token-discovery.refreshed'));
    await expect
      .poll(
        async () =>
          (await page.evaluate(() => window.ctdHost.requests)).filter((r) => r === 'tokenDiscovery.status')
            .length,
      )
      .toBe(before + 1);
    await screenshot(page, 'openclaw-control-ui-page');
    await page.close();
  });

  it('shows a read-only operator the page without its buttons', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(served.url);
    await page.waitForFunction(() => 'ctdHost' in window);
    await page.evaluate(() => window.ctdHost.mount(false));
    await expect.poll(() => page.locator('ctd-token-panel .body [role="row"]').count()).toBe(8);
    await page.locator('ctd-settings-form form').waitFor();
    const buttons = await page.getByRole('button').allTextContents();
    expect(buttons.filter((b) => /Scan now|Refresh|Save settings/.test(b))).toEqual([]);
    const writes = (await page.evaluate(() => window.ctdHost.requests)).filter((r) =>
      /scan|importManual|setConfig|clearHistory/.test(r),
    );
    expect(writes).toEqual([]);
    await page.close();
  });
});
