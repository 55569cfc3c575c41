// How the tests launch Chromium: the browser UI we turn off is off, and Playwright's own list of
// disabled features still holds (Chromium reads only one --disable-features switch).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launchOptions } from './browser.ts';

describe('launchOptions', () => {
  it('opens pages without the omnibox popup WebUI and keeps the features Playwright disables', async () => {
    const browser = await chromium.launch(launchOptions());
    try {
      const page = await browser.newPage();
      await page.goto('data:text/html,<p>ok</p>');
      const cdp = await browser.newBrowserCDPSession();
      const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{}] });
      const urls = targetInfos.map((t) => t.url);
      expect(urls).toContain('data:text/html,<p>ok</p>');
      expect(urls.filter((u) => u.startsWith('chrome://omnibox-popup'))).toEqual([]);
      // A renderer is started with the browser's effective feature lists on its command line.
      const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
      const renderer = processInfo.find((p) => p.type === 'renderer');
      expect(renderer).toBeDefined();
      const commandLine = readFileSync(`/proc/${renderer!.id}/cmdline`, 'utf8');
      const disabled = /--disable-features=([^\s\0]+)/.exec(commandLine)?.[1]?.split(',') ?? [];
      expect(disabled).toEqual(expect.arrayContaining(['WebUIOmniboxPopup', 'MediaRouter']));
    } finally {
      await browser.close();
    }
  });
});
