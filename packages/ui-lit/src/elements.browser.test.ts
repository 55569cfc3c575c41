// The elements in a real Chromium (Debian's package through playwright-core), against the fake
// client: one browser for the whole file, one page per test.

import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeSerious,
  bundle,
  closeSharedBrowser,
  type ServedPage,
  screenshot,
  servePage,
  sharedBrowser,
} from './testing/browser.ts';

const ENTRY = fileURLToPath(new URL('./testing/page-entry.ts', import.meta.url));
const CANARY = 'sk-test-canary-0123456789abcdef';

let browser: Browser;
let served: ServedPage;

beforeAll(async () => {
  const [b, script] = await Promise.all([sharedBrowser(), bundle(ENTRY)]);
  browser = b;
  served = await servePage(script);
}, 120_000);

afterAll(async () => {
  await served?.close();
  await closeSharedBrowser();
});

interface MountOptions {
  count?: number;
  empty?: boolean;
  failStatus?: string;
  readOnly?: boolean;
  width?: number;
  dark?: boolean;
  /** The fake's scan waits for `window.releaseScan()`. */
  holdScan?: boolean;
}

/** Opens a page with `<ctd-token-discovery>` over a fake client; `window.fakeLog` has its log. */
async function mount(opts: MountOptions = {}): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: opts.width ?? 1280, height: 900 },
    colorScheme: opts.dark ? 'dark' : 'light',
  });
  await page.goto(served.url);
  await page.waitForFunction(() => 'ctdTest' in window);
  await page.evaluate((o) => {
    const t = window.ctdTest;
    const credentials = o.empty ? [] : o.count ? t.makeCredentials(o.count) : undefined;
    const w = window as unknown as { releaseScan?: () => void };
    const scanGate = o.holdScan ? new Promise<void>((r) => (w.releaseScan = r)) : undefined;
    const { client, log } = t.createFakeClient({ credentials, failStatus: o.failStatus, scanGate });
    (window as unknown as { fakeLog: unknown }).fakeLog = log;
    const el = document.createElement('ctd-token-discovery');
    el.readOnly = Boolean(o.readOnly);
    el.client = client;
    document.body.append(el);
  }, opts);
  return page;
}

const rows = (page: Page) => page.locator('ctd-token-panel .body [role="row"]');
const calls = (page: Page) =>
  page.evaluate(() => (window as unknown as { fakeLog: { calls: string[] } }).fakeLog.calls);

describe('<ctd-token-discovery> in Chromium', () => {
  it('shows every credential from one status call, with badges, masked previews and policy notes', async () => {
    const page = await mount();
    await expect.poll(() => rows(page).count()).toBe(8);
    expect((await calls(page)).filter((c) => c === 'status')).toHaveLength(1);
    const text = await page.locator('ctd-token-panel [role="table"]').textContent();
    const badges = (await page.locator('ctd-token-panel .badge').allInnerTexts()).join('|');
    for (const label of [
      'Valid',
      'Expired',
      'Invalid',
      'Rate limited',
      'Quota exhausted',
      'Needs login',
      'Unchecked',
    ]) {
      expect(badges).toContain(label);
    }
    expect(badges).toMatch(/Expiring in \dh \d+m/);
    expect(text).toContain('sk-…1000');
    expect(text).toContain('user1@example.test (pro)');
    expect(text).toContain('Subscription logins: check the terms');
    // A refresh button on every credential that does not work, none on working ones.
    expect(await page.locator('ctd-token-panel [data-status="valid"] button').count()).toBe(0);
    expect(
      await page.locator('ctd-token-panel [data-status="expired"] button', { hasText: 'Refresh' }).count(),
    ).toBe(1);
    await page.close();
  });

  it('filters by status and CLI and sorts by column', async () => {
    const page = await mount({ count: 40 });
    await expect.poll(() => rows(page).count()).toBe(40);
    await page.getByLabel('Status', { exact: true }).selectOption('expired');
    await expect.poll(() => rows(page).count()).toBe(5);
    expect(
      await page.locator('ctd-token-panel .body [role="row"]:not([data-status="expired"])').count(),
    ).toBe(0);
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('CLI', { exact: true }).selectOption('environment');
    expect(
      new Set(
        await rows(page).evaluateAll((trs) =>
          trs.map((tr) => tr.querySelector('[role="cell"]')!.textContent),
        ),
      ),
    ).toEqual(new Set(['environment']));
    await page.getByLabel('CLI', { exact: true }).selectOption('');
    await expect.poll(() => rows(page).count()).toBe(40);
    await page.getByRole('button', { name: 'Uses' }).click();
    const uses = await rows(page).evaluateAll((trs) =>
      trs.map((tr) => Number(tr.querySelector('.num')!.textContent)),
    );
    expect(uses).toEqual([...uses].sort((a, b) => b - a));
    // After filter and sort changes (rows back from the panel's cache, moved): each credential once.
    const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(40);
    expect(await page.getByRole('columnheader', { name: /Uses/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    await page.close();
  });

  it('says which CLIs were looked for when nothing is found, and shows the error code with a retry', async () => {
    const empty = await mount({ empty: true });
    await expect.poll(() => empty.getByText('No credentials found').count()).toBe(1);
    const text = await empty.locator('ctd-token-panel .state').textContent();
    expect(text).toContain('Example CLI');
    expect(text).toContain('run `example login`');
    await empty.close();

    const failing = await mount({ failStatus: 'LOCK_TIMEOUT' });
    await expect.poll(() => failing.getByRole('alert').filter({ hasText: 'LOCK_TIMEOUT' }).count()).toBe(1);
    await failing.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(async () => (await calls(failing)).filter((c) => c === 'status').length).toBe(2);
    await failing.close();
  });

  it('opens the refresh modal with the methods that apply and imports a pasted key without keeping it', async () => {
    const page = await mount();
    await expect.poll(() => rows(page).count()).toBe(8);
    await page
      .locator('ctd-token-panel [role="row"][data-status="expired"]')
      .getByRole('button', { name: /Refresh/ })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Refresh credential' });
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('li.method').count()).toBe(3);
    expect(await dialog.textContent()).toContain('other-cli login');
    expect(await calls(page)).toContain('refreshToken:');

    // Running a method goes through refreshToken({target, method}).
    await dialog.getByRole('button', { name: 'Run the command' }).click();
    await expect.poll(() => dialog.getByText('Login finished.').count()).toBe(1);
    expect(await calls(page)).toContain('refreshToken:cli-login');
    // A browser or device login: the page and its code to open on the operator's side.
    await dialog.getByRole('button', { name: 'Start the login' }).click();
    await expect.poll(() => dialog.getByText('WDJB-MJHT').count()).toBe(1);
    expect(
      await dialog.getByRole('link', { name: 'https://example.test/device' }).getAttribute('target'),
    ).toBe('_blank');
    await expect.poll(() => dialog.getByText(/finish the login in your browser/).count()).toBe(1);

    const field = dialog.getByLabel(/New key for/);
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill(CANARY);
    await dialog.getByRole('button', { name: 'Check and import' }).click();
    await expect.poll(() => dialog.getByText(/The key works and was imported/).count()).toBe(1);
    expect(await field.inputValue()).toBe('');
    // The canary is nowhere in the page: not in any shadow root's markup, text or input value.
    const everywhere = await page.evaluate(() => {
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
    expect(everywhere).not.toContain(CANARY);
    expect(everywhere).not.toContain('canary');
    // The imported credential shows up after the reload.
    await expect
      .poll(async () => (await calls(page)).filter((c) => c === 'status').length)
      .toBeGreaterThanOrEqual(2);
    await screenshot(dialog, 'ui-lit-refresh-modal');
    expect(await axeSerious(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await page.close();
  });

  it('scans with progress, then reloads', async () => {
    const page = await mount({ holdScan: true });
    await expect.poll(() => rows(page).count()).toBe(8);
    await page.getByRole('button', { name: 'Scan now' }).click();
    await page.getByRole('progressbar', { name: 'Scan in progress' }).waitFor();
    await page.evaluate(() => (window as unknown as { releaseScan: () => void }).releaseScan());
    await expect.poll(() => page.getByText(/Found 8, \d+ valid, 1 imported/).count()).toBe(1);
    await expect.poll(async () => (await calls(page)).filter((c) => c === 'status').length).toBe(2);
    await page.close();
  });

  it('saves the settings through setConfig', async () => {
    const page = await mount();
    const form = page.locator('ctd-settings-form');
    await form.getByLabel('Rotation strategy').selectOption('least-used');
    await form.getByRole('group', { name: 'Other CLI' }).getByLabel('Import logins').check();
    await form.getByLabel('Refresh this many minutes before expiry').fill('30');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => form.getByText('Saved.').count()).toBe(1);
    expect(await calls(page)).toContain('setConfig');
    expect(await form.getByLabel('Rotation strategy').inputValue()).toBe('least-used');
    await page.close();
  });

  it('shows a read-only operator everything without a button that changes something', async () => {
    const page = await mount({ readOnly: true });
    await expect.poll(() => rows(page).count()).toBe(8);
    await page.locator('ctd-settings-form form').waitFor();
    const buttons = await page.getByRole('button').allInnerTexts();
    expect(buttons.filter((b) => /Scan now|Refresh|Save settings/.test(b))).toEqual([]);
    expect(await page.locator('ctd-settings-form input:not([disabled])').count()).toBe(0);
    await page.close();
  });

  it('keeps its layout at 360 px and passes axe with no serious or critical violation, light and dark', async () => {
    for (const dark of [false, true]) {
      const page = await mount({ dark });
      await expect.poll(() => rows(page).count()).toBe(8);
      await page.locator('ctd-usage-chart figure').first().waitFor();
      expect(await axeSerious(page)).toEqual([]);
      await screenshot(page, `ui-lit-panel-${dark ? 'dark' : 'light'}`);
      await page.setViewportSize({ width: 360, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(overflow).toBeLessThanOrEqual(360);
      if (!dark) await screenshot(page, 'ui-lit-panel-360px');
      await page.close();
    }
  });

  it('is usable from the keyboard: tab to a refresh button, open the modal, Escape closes it', async () => {
    const page = await mount();
    await expect.poll(() => rows(page).count()).toBe(8);
    let label = '';
    for (let i = 0; i < 60 && !label.startsWith('Refresh '); i++) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => {
        let a: Element | null = document.activeElement;
        while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
        return a?.getAttribute('aria-label') ?? '';
      });
    }
    expect(label).toMatch(/^Refresh /);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Refresh credential' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.close();
  });

  it('shows markup in credential fields as text, and keeps the focus on a refresh button across re-renders', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(served.url);
    await page.waitForFunction(() => 'ctdTest' in window);
    await page.evaluate(() => {
      const t = window.ctdTest;
      const credentials = t.makeCredentials(8);
      credentials[1]!.label = '<img src=x onerror="window.pwned=1">';
      credentials[1]!.lastCheck = {
        status: 'expired',
        reason: '"><b id="injected">bold</b>',
        checkedAt: new Date().toISOString(),
      };
      const { client } = t.createFakeClient({ credentials });
      const el = document.createElement('ctd-token-discovery');
      el.client = client;
      document.body.append(el);
    });
    await expect.poll(() => rows(page).count()).toBe(8);
    const row = page.locator('ctd-token-panel [role="row"][data-id$=":user1"]');
    expect(await row.textContent()).toContain('<img src=x onerror="window.pwned=1">');
    expect(await row.locator('.sub[title]').first().getAttribute('title')).toBe(
      '"><b id="injected">bold</b>',
    );
    expect(await page.locator('ctd-token-panel img, ctd-token-panel #injected').count()).toBe(0);
    // A long reason takes three lines on screen; all of it stays in the title.
    const long = 'the provider answered with a very long explanation of what went wrong. '.repeat(12);
    await page.evaluate((reason) => {
      const panel = document
        .querySelector('ctd-token-discovery')!
        .shadowRoot!.querySelector('ctd-token-panel')!;
      const creds = panel.credentials!.map((c, i) =>
        i === 2
          ? { ...c, lastCheck: { status: 'invalid' as const, reason, checkedAt: new Date().toISOString() } }
          : c,
      );
      panel.credentials = creds;
    }, long);
    const clamped = page.locator(`ctd-token-panel .sub[title="${long}"]`);
    await expect.poll(() => clamped.count()).toBe(1);
    const box = await clamped.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      line:
        Number.parseFloat(getComputedStyle(el).lineHeight) ||
        1.2 * Number.parseFloat(getComputedStyle(el).fontSize),
      scroll: el.scrollHeight,
    }));
    expect(box.scroll, 'the reason is longer than three lines').toBeGreaterThan(4 * box.line);
    expect(box.height).toBeLessThanOrEqual(3 * box.line + 2);
    expect(await page.evaluate(() => 'pwned' in window)).toBe(false);

    // Focus a refresh button, then re-render: with the same data the row (and its focus) stays;
    // with changed data (a later `now`: other relative times) the row is new and the focus moves
    // to its refresh button.
    const focused = () =>
      page.evaluate(() => {
        const panel = document
          .querySelector('ctd-token-discovery')!
          .shadowRoot!.querySelector('ctd-token-panel')!;
        const a = panel.shadowRoot!.activeElement as HTMLElement | null;
        return a ? `${a.getAttribute('part')} ${a.dataset.id}` : null;
      });
    const id = await page.evaluate(async () => {
      const panel = document
        .querySelector('ctd-token-discovery')!
        .shadowRoot!.querySelector('ctd-token-panel')!;
      const button = panel.shadowRoot!.querySelector<HTMLElement>('[part="refresh-button"]')!;
      button.focus();
      const before = button.closest('[role="row"]');
      panel.requestUpdate();
      await panel.updateComplete;
      const kept = panel.shadowRoot!.querySelector(`[data-id="${button.dataset.id}"][role="row"]`) === before;
      if (!kept) throw new Error('an unchanged row was replaced');
      panel.now = Date.now() + 3 * 3600_000;
      await panel.updateComplete;
      if (before!.isConnected) throw new Error('a changed row was kept');
      return button.dataset.id;
    });
    expect(await focused()).toBe(`refresh-button ${id}`);
    await page.close();
  });

  it('draws the usage graphs with a text alternative', async () => {
    const page = await mount();
    const charts = page.locator('ctd-usage-chart');
    await expect.poll(() => charts.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(3);
    const labels = await charts
      .locator('svg[role="img"]')
      .evaluateAll((s) => s.map((x) => x.getAttribute('aria-label')));
    expect(labels.join('\n')).toMatch(/Requests over time .* 2 cooldowns and refreshes marked/);
    expect(labels.join('\n')).toMatch(/Success rate: /);
    expect(labels.join('\n')).toMatch(/Share of requests per strategy: round-robin \d+ %/);
    await screenshot(charts, 'ui-lit-usage-graphs');
    await page.close();
  });
});

describe('@ctd/ui-lit bundle', () => {
  it('is at most 80 KB gzipped with Lit', async () => {
    const define = fileURLToPath(new URL('./define.ts', import.meta.url));
    const min = await bundle(define, true);
    const gz = gzipSync(min).length;
    process.stdout.write(`ui-lit bundle: ${min.length} bytes minified, ${gz} bytes gzipped\n`);
    expect(gz).toBeLessThanOrEqual(80 * 1024);
  });
});
