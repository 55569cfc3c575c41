type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether a browser can be opened here for the person at this machine: not in CI, not over SSH,
 * and on Linux and the BSDs only with a display (`DISPLAY` or `WAYLAND_DISPLAY`). A gateway host
 * is never asked: the gateway relays the page to the operator's own browser instead.
 *
 * @param env - the environment
 * @param platform - the OS @default process.platform
 */
export function canOpenBrowser(env: Env, platform: NodeJS.Platform = process.platform): boolean {
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return false;
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Options of {@link openInBrowser}. */
export interface OpenInBrowserOptions {
  /** The environment; `BROWSER` names the browser command to use, as for many tools. */
  readonly env: Env;
}

/**
 * Opens a login or key page in the user's browser with the `open` package (the system's opener,
 * or the command named by `BROWSER`). Resolves once the opener started; never waits for the
 * browser. Call it only when {@link canOpenBrowser} says yes.
 *
 * @param url - an http(s) page
 * @param options - the environment
 */
export async function openInBrowser(url: string, options: OpenInBrowserOptions): Promise<void> {
  if (!/^https?:\/\//i.test(url)) throw new Error('only http(s) pages are opened');
  const browser = options.env.BROWSER?.trim();
  // `open` loads only when a page is opened, not with every import of the refresher.
  const { default: open } = await import('open');
  const child = await open(url, {
    wait: false,
    ...(browser ? { app: { name: browser } } : {}),
  });
  // A child that started has a pid at once; one that could not start (not found) reports it by
  // its error event. The opener's exit does not concern us.
  if (child.pid === undefined) {
    await new Promise<void>((_, reject) => child.once('error', reject));
  }
  child.on('error', () => {});
  child.unref();
}
