// Node-side helpers for tests that drive a real Chromium (Debian's `chromium`, never a downloaded
// one) through playwright-core: one browser per test process, pages bundled with esbuild from the
// workspace sources, axe-core checks and screenshots under .cache/. Test-only.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);
/** The repository's root (for `.cache/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** Where Chromium is looked for: `$CTD_CHROMIUM`, else Debian's package. */
export const CHROMIUM_PATH = process.env.CTD_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Makes sure Debian's `chromium` is installed: when it is missing and we are root with apt, it is
 * installed (`apt-get install -y chromium`, after `apt-get update` if the first try fails).
 * Throws with what to do otherwise.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'ignore', env });
    if (install().status !== 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
      install();
    }
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium)`,
    );
  }
  return CHROMIUM_PATH;
}

/**
 * Chromium's own UI that a new window builds in new-headless mode: its omnibox popups are WebUI
 * pages, rendered by a renderer process of their own for every page Playwright opens. On two
 * cores that renderer took up to half the CPU while a page was being measured (render bench, 9
 * page loads: median 148 ms, range 87–289 ms with it; median 66 ms, range 65–99 ms without). No
 * test uses the omnibox.
 */
const DISABLED_BROWSER_UI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

/**
 * How the tests launch Chromium (headless, no sandbox: CI runs as root), for `chromium.launch`
 * and `chromium.launchServer`. Chromium honours only the last `--disable-features` switch and
 * Playwright passes its own, so ours go through chromium-launcher.sh, which merges the lists
 * (when the script has lost its executable bit, Chromium starts directly, with the popups).
 */
export function launchOptions(): {
  executablePath: string;
  headless: true;
  args: string[];
} {
  const browser = ensureChromium();
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];
  const launcher = fileURLToPath(new URL('./chromium-launcher.sh', import.meta.url));
  try {
    accessSync(launcher, constants.X_OK);
  } catch {
    return { executablePath: browser, headless: true, args };
  }
  return {
    executablePath: launcher,
    headless: true,
    args: [...args, `--ctd-chromium=${browser}`, `--disable-features=${DISABLED_BROWSER_UI.join(',')}`],
  };
}

let shared: Promise<Browser> | undefined;

/**
 * The test process's one Chromium ({@link launchOptions}). When
 * `CTD_CHROMIUM_WS` names a running browser server (a global setup may start one for all test
 * files), it connects to that instead of launching.
 */
export function sharedBrowser(): Promise<Browser> {
  shared ??= (async () => {
    const ws = process.env.CTD_CHROMIUM_WS;
    if (ws) return chromium.connect(ws);
    return chromium.launch(launchOptions());
  })();
  return shared;
}

/** Closes the shared browser (when this process launched it). */
export async function closeSharedBrowser(): Promise<void> {
  const b = shared;
  shared = undefined;
  if (b) await (await b).close();
}

/**
 * Bundles a browser entry from the workspace sources.
 *
 * @param entry - absolute path of the entry module
 * @param minify - minify (for size measurements)
 */
export async function bundle(entry: string, minify = false): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    conditions: ['@ctd/source', 'browser', 'import'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** A page served on loopback: its URL and how to stop it. */
export interface ServedPage {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves an HTML page and its script on 127.0.0.1 (a random port).
 *
 * @param script - the bundled script, served as `/app.js`
 * @param body - the page's body
 */
export async function servePage(script: string, body = ''): Promise<ServedPage> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ctd test</title><script type="module" src="/app.js"></script></head><body>${body}</body></html>`;
  const server: Server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** One axe-core violation, short. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) on the page or part of it (shadow roots included) and returns
 * the serious and critical violations.
 */
export async function axeSerious(page: Page, include?: string): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(async (sel) => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global injected above
    const axe = (globalThis as any).axe;
    const r = await axe.run(sel ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
    });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result shape
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: { target: unknown }) => String(n.target)),
    }));
  }, include);
  return (result as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a screenshot of a page or an element under `.cache/screenshots/` and prints its path. */
export async function screenshot(
  target: Page | Locator,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<string> {
  const dir = join(REPO_ROOT, '.cache', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path, fullPage });
  else await target.screenshot({ path });
  process.stdout.write(`screenshot: ${path}\n`);
  return path;
}
