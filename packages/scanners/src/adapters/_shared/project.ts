// Gemini CLI, Qwen Code and Claude Code also read files of the project they run in, found by
// walking up from the working directory: `.gemini/.env` and `.env`, `.qwen/settings.json`,
// `.claude/settings.json` and `settings.local.json`. A scan reads them when it is given a working
// directory (`ctd scan` passes its own, or `--cwd`).
import { dirname, resolve } from 'node:path';
import type { ScanContext } from '../../types.ts';

/**
 * The directories from the scan's working directory up to the filesystem root, nearest first,
 * leaving out the home directory (its files are the CLIs' user-level ones, read anyway). Empty
 * when the scan has no working directory.
 *
 * @param ctx - the scan's context
 */
export function projectDirs(ctx: ScanContext): string[] {
  if (!ctx.cwd) return [];
  const home = resolve(ctx.home);
  const dirs: string[] = [];
  let dir = resolve(ctx.cwd);
  for (;;) {
    if (dir !== home) dirs.push(dir);
    const parent = dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}
