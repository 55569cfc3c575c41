import { homedir, hostname, userInfo } from 'node:os';
import { ALL_ADAPTERS } from './adapters/index.ts';
import type { ScanContext, SourceAdapter } from './types.ts';

/** Options for {@link createScanContext}; every field has a default from the running process. */
export interface ScanContextOptions {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** @default env.HOME, else on Windows env.USERPROFILE, else os.homedir() */
  home?: string | undefined;
  /** @default os.hostname() */
  hostname?: string | undefined;
  /** @default os.userInfo().username */
  username?: string | undefined;
  /** @default 1 MiB */
  maxFileBytes?: number | undefined;
  /** @default new Date() */
  now?: Date | undefined;
  /** The adapter list whose facts fill in what an adapter does not state. @default every built-in adapter */
  adapters?: readonly SourceAdapter[] | undefined;
  /**
   * Also read the logins CLIs keep in the OS keychain (Secret Service through `secret-tool` on
   * Linux, `security` on macOS). Off by default: reading a keychain may ask the user to unlock it
   * or to allow access. @default false
   */
  scanKeychains?: boolean | undefined;
  /** The platform whose keychain to read. @default process.platform */
  platform?: NodeJS.Platform | undefined;
  /**
   * The working directory whose project files (found walking up: `.env` files and the CLIs'
   * project settings, as each adapter lists them) the CLIs would read. @default none: only
   * user-level stores are read
   */
  cwd?: string | undefined;
}

/** Default size cap for a credential file: real ones are a few KiB. */
export const DEFAULT_MAX_FILE_BYTES: number = 1024 * 1024;

/**
 * Builds the context a scan reads from. Honours `HOME`, so tests point it at a temp home.
 *
 * @param options - overrides for the process defaults
 * @returns a frozen scan context
 */
export function createScanContext(options: ScanContextOptions = {}): ScanContext {
  const env = options.env ?? process.env;
  let username = options.username;
  if (username === undefined) {
    try {
      username = userInfo().username;
    } catch {
      username = env.USER ?? '';
    }
  }
  return Object.freeze({
    env,
    // Windows sets USERPROFILE, not HOME; the CLIs keep their stores under it (%USERPROFILE%\.<cli>, …).
    home:
      options.home ??
      (env.HOME ||
        ((options.platform ?? process.platform) === 'win32' ? env.USERPROFILE : undefined) ||
        homedir()),
    hostname: options.hostname ?? hostname(),
    username,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    now: options.now ?? new Date(),
    adapters: options.adapters ?? ALL_ADAPTERS,
    scanKeychains: options.scanKeychains ?? false,
    platform: options.platform ?? process.platform,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}
