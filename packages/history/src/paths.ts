import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { HISTORY_FILE_NAME } from './codec.ts';

export { HISTORY_FILE_NAME };

/** Where to find the history file. */
export interface HistoryPathOptions {
  /** An explicit file path; wins over everything else. */
  file?: string | undefined;
  /**
   * Environment to read `CTD_HISTORY_FILE`, `OPENCLAW_STATE_DIR` and `HOME` from.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * Resolves the history file path: `file`, else `$CTD_HISTORY_FILE`, else
 * `$OPENCLAW_STATE_DIR/cli-token-history.json`, else `~/.openclaw/cli-token-history.json`.
 *
 * @param options - an explicit path and the environment
 * @returns an absolute path
 * @example
 * resolveHistoryPath({ env: { HOME: '/home/me' } }); // '/home/me/.openclaw/cli-token-history.json'
 */
export function resolveHistoryPath(options: HistoryPathOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = options.file || env.CTD_HISTORY_FILE;
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(explicit);
  if (env.OPENCLAW_STATE_DIR) return join(resolve(env.OPENCLAW_STATE_DIR), HISTORY_FILE_NAME);
  return join(env.HOME || homedir(), '.openclaw', HISTORY_FILE_NAME);
}

/**
 * Whether the history path is the default one in `~/.openclaw` (OpenClaw's own state directory,
 * which it keeps 0700), as opposed to a path or directory the caller chose.
 */
export function isDefaultHistoryDir(options: HistoryPathOptions = {}): boolean {
  const env = options.env ?? process.env;
  return !options.file && !env.CTD_HISTORY_FILE && !env.OPENCLAW_STATE_DIR;
}
