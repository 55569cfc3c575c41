// Test support (not exported): runs the refresher child (child.ts) in its own Node process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RefreshOutcome } from '../types.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Arguments of the child (see child.ts). */
export interface ChildArgs {
  adapter: string;
  rotating?: boolean;
  refreshers: number;
  force?: boolean;
  stallAfterAnswer?: boolean;
  stateDir: string;
  barrier?: boolean;
}

/** A running child. */
export interface RunningChild {
  readonly process: ChildProcess;
  /** Resolves with the child's outcomes when it exits 0; rejects with its stderr otherwise. */
  readonly done: Promise<RefreshOutcome[]>;
  /** Resolves when the child printed this line. */
  line(text: string): Promise<void>;
  /** Writes a line to the child's stdin. */
  send(text: string): void;
}

/**
 * Starts children that each scan, then waits until all have scanned and lets them go at once.
 *
 * @param count - how many children
 * @param args - what each does (`barrier` is set)
 * @param env - their environment
 */
export async function startTogether(
  count: number,
  args: ChildArgs,
  env: Record<string, string>,
): Promise<RefreshOutcome[]> {
  const children = Array.from({ length: count }, () => startChild({ ...args, barrier: true }, env));
  await Promise.race([
    Promise.all(children.map((c) => c.line('READY'))),
    Promise.all(children.map((c) => c.done)), // a child that dies before READY fails the test
  ]);
  for (const c of children) c.send('GO');
  return (await Promise.all(children.map((c) => c.done))).flat();
}

/**
 * Starts a refresher child with the workspace's source condition.
 *
 * @param args - what the child does
 * @param env - its whole environment (HOME, base-URL overrides)
 */
export function startChild(args: ChildArgs, env: Record<string, string>): RunningChild {
  const child = spawn(
    process.execPath,
    ['--conditions=@ctd/source', '--no-warnings', CHILD, JSON.stringify(args)],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of [...waiters]) {
      if (stdout.split('\n').includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<RefreshOutcome[]>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`child exited ${code ?? signal}: ${stderr.slice(0, 2000)}`));
        return;
      }
      const last = stdout.trim().split('\n').pop() ?? '[]';
      resolve(JSON.parse(last) as RefreshOutcome[]);
    });
  });
  return {
    process: child,
    done,
    send(text) {
      child.stdin?.write(`${text}\n`);
    },
    line(text) {
      if (stdout.split('\n').includes(text)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ text, resolve }));
    },
  };
}
