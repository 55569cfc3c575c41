// Helpers shared by this package's tests (not exported from the package).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CredentialRef } from '../types.ts';

/** The worker script of the multi-process tests. */
export const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** A credential identity for tests; `n` picks a distinct fake hash. */
export function ref(id: string, n = 1, provider = 'openai', source = 'environment'): CredentialRef {
  return { id, hash: n.toString(16).padStart(64, '0'), source, provider };
}

/** A settable clock. */
export function fakeClock(start = Date.parse('2026-05-01T00:00:00.000Z')) {
  let now = start;
  const clock = () => now;
  clock.set = (t: number) => {
    now = t;
  };
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

/** Spawns the worker with the workspace source condition and an IPC channel. */
export function spawnWorker(args: Record<string, unknown>): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@ctd/source', '--no-warnings', WORKER, JSON.stringify(args)],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
}

/** Resolves with the exit code (or signal) once the child has exited and been reaped. */
export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode, stderr });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Resolves when the child writes a line containing `text` to stdout. */
export function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(text)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`worker exited before printing "${text}"`)));
  });
}

/** The pid of a process that has already exited (for stale-lock tests). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await exited(child);
  return child.pid as number;
}
