import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The short names of the real CLIs the harness installs. */
export type RealCliName = 'codex' | 'gemini' | 'qwen' | 'claude' | 'opencode' | 'copilot';

/** Where the installed CLIs are. */
export interface RealClis {
  /** `.cache/real-clis` of the repository. */
  readonly dir: string;
  /** The command of each CLI (`node_modules/.bin/<cli>`). */
  readonly bin: Readonly<Record<RealCliName, string>>;
  /** The pinned version of each npm package. */
  readonly versions: Readonly<Record<string, string>>;
}

/** Either the installed CLIs, or why they could not be installed (for a test's skip message). */
export type RealClisOutcome =
  | { readonly ok: true; readonly clis: RealClis }
  | { readonly ok: false; readonly reason: string };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The installer script (also run by `npm test` before vitest, so tests find the cache warm). */
export const REAL_CLIS_INSTALLER = join(repoRoot, 'scripts', 'real-clis-install.mjs');

let pending: Promise<RealClisOutcome> | undefined;

/**
 * Installs the pinned real CLIs into `.cache/real-clis/` (once; later calls and later runs re-use
 * the cache) with `scripts/real-clis-install.mjs`, and says where they are. Resolves to
 * `{ ok: false, reason }` when installation is impossible (another platform, no registry), so a
 * test can skip with that reason; it never throws.
 */
export function ensureRealClis(): Promise<RealClisOutcome> {
  pending ??= new Promise<RealClisOutcome>((done) => {
    const child = spawn(process.execPath, [REAL_CLIS_INSTALLER, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (error) =>
      done({ ok: false, reason: `the installer did not start (${error.message})` }),
    );
    child.on('close', (code) => {
      if (code === 0) {
        try {
          done({ ok: true, clis: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as RealClis });
          return;
        } catch {
          done({ ok: false, reason: 'the installer printed no JSON' });
          return;
        }
      }
      const last = stderr.trim().split('\n').at(-1) ?? '';
      done({ ok: false, reason: `the real CLIs could not be installed (exit ${code}): ${last}` });
    });
  });
  return pending;
}
