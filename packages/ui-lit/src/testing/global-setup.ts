// A vitest global setup that starts one Chromium for every test file that drives a browser: it
// launches a browser server once and hands its endpoint to the test processes in
// CTD_CHROMIUM_WS (sharedBrowser() connects to it instead of launching its own).
// Use: `globalSetup: ['packages/ui-lit/src/testing/global-setup.ts']` in the vitest config.
import { chromium } from 'playwright-core';
import { launchOptions } from './browser.ts';

/** Starts the shared browser server; returns the teardown that stops it. */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.CTD_CHROMIUM_WS) return async () => {};
  let server: Awaited<ReturnType<typeof chromium.launchServer>>;
  try {
    server = await chromium.launchServer(launchOptions());
  } catch {
    // No shared browser: each browser test launches its own and reports why it cannot. The other
    // tests of the run do not need one, so they must not fail for it.
    return async () => {};
  }
  process.env.CTD_CHROMIUM_WS = server.wsEndpoint();
  return async () => {
    delete process.env.CTD_CHROMIUM_WS;
    await server.close();
  };
}
