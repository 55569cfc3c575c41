// The Control UI page in a real OpenClaw 2026.9.6 gateway, driven by Debian's Chromium: the
// packed plugin installed as a user would, `gateway.controlUi.experimental.customPlugins` on, the
// browser signed in through `openclaw dashboard`'s one-time link. The journey of issue 12: the
// fixture home's credentials with their badges, a scan, the refresh modal of an expired login, a
// pasted key that becomes valid, a setting found in the config; the canary secret is nowhere in
// the DOM, the network log or the console. Run with `npm run test:e2e` (slow: one gateway).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fixtures } from '@ctd/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSharedBrowser, screenshot, sharedBrowser } from '../../ui-lit/src/testing/browser.ts';
import {
  createSandbox,
  ensureOpenClaw,
  type Gateway,
  PLUGIN_ID,
  packPlugin,
  type Sandbox,
} from './gateway.ts';
import { type E2eFakes, type E2eHome, startE2eFakes, writeE2eHome } from './world.ts';

type Browser = Awaited<ReturnType<typeof sharedBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

/** The key pasted in the refresh modal; the fakes accept it. */
const PASTED = `sk-test-PLACEHOLDER-e2e-ui-${randomBytes(8).toString('hex')}`;

let sandbox: Sandbox | undefined;
let fakes: E2eFakes | undefined;
let world: E2eHome;
let gateway: Gateway | undefined;
let browser: Browser;
let page: Page;
const consoleText: string[] = [];
const network: string[] = [];

beforeAll(async () => {
  const install = ensureOpenClaw();
  sandbox = await createSandbox(install, { prefix: 'ctd-e2e-ui-' });
  world = await writeE2eHome(sandbox.home);
  // The Codex login expired (its API key, the canary, stays): the panel offers its refresh.
  const auth = JSON.parse(await readFile(sandbox.home.resolve('.codex/auth.json'), 'utf8')) as {
    tokens: Record<string, unknown>;
  };
  auth.tokens.access_token = fixtures.codex.codexAccessToken(Math.floor(Date.now() / 1000) - 86_400);
  await sandbox.home.writeJson('.codex/auth.json', auth);
  fakes = await startE2eFakes([...world.secrets, PASTED]);
  // The expired login's refresh goes to a fake too: nothing leaves loopback.
  Object.assign(sandbox.env, fakes.env, { CTD_OPENAI_OAUTH_URL: `${fakes.openai.baseUrl}/oauth/token` });
  const packed = packPlugin(sandbox.harnessDir);
  expect(packed.files).toContain('dist/control-ui/index.js');
  await sandbox.installPlugin(packed.tarball);
  await sandbox.configurePlugin({ scanOnStartup: true, autoImport: true, validateTokens: true });
  const config = await sandbox.readConfig();
  const gw = (config.gateway ?? {}) as Record<string, unknown>;
  config.gateway = { ...gw, controlUi: { experimental: { customPlugins: true } } };
  await sandbox.writeConfig(config);
  gateway = sandbox.startGateway();
  await gateway.waitReady();
  browser = await sharedBrowser();
}, 600_000);

afterAll(async () => {
  await page?.close().catch(() => {});
  await closeSharedBrowser();
  await gateway?.stop().catch(() => {});
  await fakes?.close();
  if (process.env.CTD_E2E_KEEP) console.error(`[e2e] kept ${sandbox?.home.path}`);
  else await sandbox?.cleanup();
}, 120_000);

describe('the Token Discovery page in OpenClaw’s Control UI', () => {
  it('opens from the sidebar with the fixture home’s credentials and their badges', async () => {
    const dashboard = await sandbox!.openclaw(['dashboard', '--json', '--no-open']);
    expect(dashboard.code, dashboard.stdout + dashboard.stderr).toBe(0);
    const link = JSON.parse(dashboard.stdout) as { browserUrl?: string; url: string };
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => consoleText.push(m.text()));
    page.on('request', (r) => network.push(`${r.method()} ${r.url()} ${r.postData() ?? ''}`));
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => network.push(`ws> ${String(f.payload)}`));
      ws.on('framereceived', (f) => network.push(`ws< ${String(f.payload)}`));
    });
    page.on('response', async (r) =>
      network.push(`${r.status()} ${r.url()} ${await r.text().catch(() => '')}`),
    );
    // The one-time link signs the browser in (first run: the model setup page); then the page's
    // own route, whose entry the sidebar shows once the plugin's module is active.
    await page.goto(link.browserUrl ?? link.url);
    await page.waitForURL(/\/settings\/|\/chat/, { timeout: 120_000 });
    await page.goto(new URL(`/plugin?plugin=${PLUGIN_ID}&id=token-discovery`, sandbox!.httpUrl).href);
    const rows = page.locator('ctd-token-panel .body [role="row"]');
    try {
      await page
        .getByRole('link', { name: 'Token Discovery' })
        .or(page.getByText('Token Discovery', { exact: true }))
        .first()
        .waitFor({ timeout: 120_000 });
      await expect
        .poll(() => rows.count(), { timeout: 120_000 })
        .toBeGreaterThanOrEqual(world.expected.length);
    } catch (error) {
      await screenshot(page, 'openclaw-e2e-failure');
      throw error;
    }
    const codexLogin = page.locator('ctd-token-panel [role="row"][data-id^="codex-cli:openai:acct"]');
    expect(['expired', 'refreshable']).toContain(await codexLogin.first().getAttribute('data-status'));
    await screenshot(page, 'openclaw-token-discovery-page', { fullPage: false });
  });

  it('runs a scan from the page', async () => {
    await page.getByRole('button', { name: 'Scan now' }).click();
    await expect.poll(() => page.getByText(/^Found \d+, \d+ valid/).count(), { timeout: 60_000 }).toBe(1);
  });

  it('opens the refresh modal of the expired login, then imports a pasted key that becomes valid', async () => {
    const codexLogin = page.locator('ctd-token-panel [role="row"][data-id^="codex-cli:openai:acct"]').first();
    await codexLogin.getByRole('button', { name: /^Refresh / }).click();
    const dialog = page.getByRole('dialog', { name: 'Refresh credential' });
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('li.method').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await dialog.textContent()).toMatch(/codex login/);
    await screenshot(dialog, 'openclaw-refresh-modal');
    const field = dialog.getByLabel(/New key for/);
    await field.fill(PASTED);
    await dialog.getByRole('button', { name: 'Check and import' }).click();
    await expect.poll(() => dialog.getByText(/The key works/).count(), { timeout: 60_000 }).toBe(1);
    expect(await field.inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await expect
      .poll(
        () => page.locator('ctd-token-panel [data-id^="codex-cli:openai:key-"][data-status="valid"]').count(),
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(0);
  });

  it('keeps the canary and the pasted key out of the DOM, the console and the network log', async () => {
    const dom = await page.evaluate(() => {
      const out: string[] = [];
      const walk = (root: Document | ShadowRoot) => {
        out.push(root instanceof Document ? root.documentElement.outerHTML : root.innerHTML);
        for (const el of root.querySelectorAll('*')) {
          if (el instanceof HTMLInputElement) out.push(el.value);
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      };
      walk(document);
      return out.join('\n');
    });
    expect(dom).not.toContain(world.canary);
    expect(dom).not.toContain(PASTED);
    expect(consoleText.join('\n')).not.toContain(world.canary);
    expect(consoleText.join('\n')).not.toContain(PASTED);
    expect(network.join('\n')).not.toContain(world.canary);
    // The pasted key went out once, in the importManual request frame; no answer carries it.
    expect(
      network.filter((l) => l.includes(PASTED) && !/^ws> .*tokenDiscovery\.importManual/.test(l)),
    ).toEqual([]);
  });

  it('saves a setting through tokenDiscovery.setConfig into the config file', async () => {
    const form = page.locator('ctd-settings-form');
    await form.getByLabel('Rotation strategy').selectOption('least-used');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByText('Saved.').count(), { timeout: 60_000 }).toBe(1);
    const config = await sandbox!.readConfig();
    const entry = (config.plugins as { entries: Record<string, { config: { rotationStrategy: string } }> })
      .entries[PLUGIN_ID]!;
    expect(entry.config.rotationStrategy).toBe('least-used');
  });
});
