import { spawnSync } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import type { ContractAdapter, ContractScanContext } from './types.ts';

/** Whether the CLI's lock is held right now, as another process would find it; undefined when it cannot be told. */
export async function cliLockHeld(
  adapter: ContractAdapter,
  ctx: ContractScanContext,
): Promise<boolean | undefined> {
  const protocol = adapter.lockProtocol?.(ctx);
  if (!protocol?.lockPath) return undefined;
  if (protocol.kind === 'o-excl') {
    try {
      await lstat(protocol.lockPath);
      return true;
    } catch {
      return false;
    }
  }
  if (protocol.kind === 'flock') {
    // Another process asks, as the CLI would: util-linux flock(1), without waiting.
    const r = spawnSync('flock', ['--nonblock', '--conflict-exit-code', '75', protocol.lockPath, 'true'], {
      stdio: 'ignore',
    });
    if (r.error) return undefined; // no flock(1) here
    if (r.status === 75) return true;
    return r.status === 0 ? false : undefined;
  }
  return undefined;
}
