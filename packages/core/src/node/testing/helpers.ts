// Helpers shared by the tests of this folder (not exported from the package).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOLDER = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));

/** A fresh temp directory and its removal. */
export async function tempDir(prefix = 'ctd-node-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Starts a process that holds a lock until its stdin is closed. */
export function spawnHolder(args: { kind: 'flock' | 'pid' | 'mtime'; path: string }): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@ctd/source', '--no-warnings', HOLDER, JSON.stringify(args)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
}

/** Resolves when the child writes `text` to stdout; rejects if it exits first. */
export function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(text)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`process exited before printing "${text}": ${err}`)));
  });
}

/** Resolves once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The pid of a process that has already exited (for stale-lock tests). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await exited(child);
  return child.pid as number;
}
