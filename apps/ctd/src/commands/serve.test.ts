// `ctd serve` end to end: the real service on a temp home with a fake OpenAI on loopback, the
// server on 127.0.0.1, and Debian's Chromium driving the page (the same journey as in OpenClaw's
// Control UI), plus the refusals: no token, a foreign Origin, a foreign Host (DNS rebinding).
import { request } from 'node:http';
import { createTempHome, type FakeProvider, fixtures, startFakeOpenAI, type TempHome } from '@ctd/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeSharedBrowser,
  screenshot,
  sharedBrowser,
} from '../../../../packages/ui-lit/src/testing/browser.ts';
import type { CliIo } from '../io.ts';
import { runServe } from './serve.ts';

// playwright-core is @ctd/ui-lit's dev dependency: its types come through the shared helper.
type Browser = Awaited<ReturnType<typeof sharedBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const CANARY = 'sk-test-PLACEHOLDER-serve-canary-000000000';

let home: TempHome;
let openai: FakeProvider;
let stop: AbortController;
let done: Promise<number>;
let stdout = '';
let url: URL;
let token: string;
let browser: Browser;

beforeAll(async () => {
  home = await createTempHome();
  openai = await startFakeOpenAI({ keys: { [CANARY]: 'valid' } });
  await fixtures.codex.writeCodexChatGpt(home);
  const env = {
    ...home.env,
    CTD_OPENAI_BASE_URL: openai.baseUrl,
    CTD_CHATGPT_BASE_URL: openai.baseUrl,
    // The expired login's refresh goes to the fake too (it refuses it): nothing leaves loopback.
    CTD_OPENAI_OAUTH_URL: `${openai.baseUrl}/oauth/token`,
  };
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
    stdin: process.stdin,
    env,
  };
  stop = new AbortController();
  done = runServe(io, { open: false }, stop.signal);
  const printed = (async () => {
    // Wait for the one line with the address (no timing asserted: the hook's timeout bounds it).
    while (!stdout.includes('#token=')) await new Promise((r) => setTimeout(r, 50));
  })();
  const [b] = await Promise.all([sharedBrowser(), printed]);
  browser = b;
  url = new URL(/(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(stdout)![1]!);
  token = url.hash.slice('#token='.length);
}, 120_000);

afterAll(async () => {
  stop?.abort();
  expect(await done).toBe(0);
  await closeSharedBrowser();
  await openai?.close();
  await home?.cleanup();
});

/** A raw request, so that Host and Origin can be anything. */
function raw(
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, path, method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const api = (op: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(`/api/${op}`, { host: url.host, 'content-type': 'application/json', ...headers }, JSON.stringify(body));

describe('ctd serve', () => {
  it('prints its loopback address once, with the token in the fragment', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(stdout.split(token)).toHaveLength(2);
  });

  it('refuses a request without the token, with a foreign Origin or Host, and answers one that has it', async () => {
    const ok = await api('status', {}, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).ok).toBe(true);

    const none = await api('status', {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('UNAUTHORIZED');
    expect((await api('status', {}, { authorization: 'Bearer nope' })).status).toBe(401);

    const foreign = await api(
      'status',
      {},
      { authorization: `Bearer ${token}`, origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.code).toBe('FORBIDDEN_ORIGIN');
    const crossSite = await api(
      'status',
      {},
      { authorization: `Bearer ${token}`, 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);

    // DNS rebinding: a name that resolves to 127.0.0.1 still sends its own Host.
    const rebound = await api(
      'status',
      {},
      { authorization: `Bearer ${token}`, host: `evil.example:${url.port}` },
    );
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe('FORBIDDEN_HOST');
    expect((await raw('/', { host: `evil.example:${url.port}` })).status).toBe(403);

    const page = await raw('/', { host: url.host });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(token);
    expect((await api('nope', {}, { authorization: `Bearer ${token}` })).status).toBe(404);
  });

  it('rejects settings the service schema refuses', async () => {
    const r = await api(
      'setConfig',
      { config: { rotationStrategy: 'nope' } },
      { authorization: `Bearer ${token}` },
    );
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'BAD_USAGE' });
  });

  it('runs the journey in Chromium: credentials and badges, scan, refresh methods, a pasted key, a setting', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleText: string[] = [];
    const network: string[] = [];
    page.on('console', (m) => consoleText.push(m.text()));
    page.on('request', (r) => network.push(r.url()));
    page.on('response', async (r) => {
      network.push(`${r.status()} ${r.url()} ${JSON.stringify(r.headers())}`);
      network.push(await r.text().catch(() => ''));
    });
    await page.goto(url.href);
    // The token leaves the address bar at once.
    await expect.poll(() => page.url()).not.toContain('token');
    const rows = page.locator('ctd-token-panel .body [role="row"]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const codex = rows.filter({ hasText: 'codex-cli' }).first();
    expect(['expired', 'refreshable']).toContain(await codex.getAttribute('data-status'));

    await page.getByRole('button', { name: 'Scan now' }).click();
    await expect.poll(() => page.getByText(/^Found \d+, \d+ valid/).count(), { timeout: 30_000 }).toBe(1);

    await codex.getByRole('button', { name: /^Refresh / }).click();
    const dialog = page.getByRole('dialog', { name: 'Refresh credential' });
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('li.method').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await dialog.textContent()).toMatch(/codex login/);
    await screenshot(dialog, 'ctd-serve-refresh-modal');

    const field = dialog.getByLabel(/New key for/);
    await field.fill(CANARY);
    await dialog.getByRole('button', { name: 'Check and import' }).click();
    await expect.poll(() => dialog.getByText(/The key works/).count(), { timeout: 20_000 }).toBe(1);
    expect(await field.inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await expect
      .poll(
        () => page.locator('ctd-token-panel [data-id^="codex-cli:openai:key-"][data-status="valid"]').count(),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThan(0);

    const form = page.locator('ctd-settings-form');
    await form.getByLabel('Rotation strategy').selectOption('least-used');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByText('Saved.').count()).toBe(1);
    const config = JSON.parse((await api('getConfig', {}, { authorization: `Bearer ${token}` })).body);
    expect(config.result.config.rotationStrategy).toBe('least-used');
    await screenshot(page, 'ctd-serve-page');

    // The pasted key went out once, in the importManual request's body; it is nowhere else.
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
    expect(dom).not.toContain(CANARY);
    expect(consoleText.join('\n')).not.toContain(CANARY);
    expect(network.join('\n')).not.toContain(CANARY);
    expect(stdout).not.toContain(CANARY);
    await page.close();
  }, 120_000);
});
