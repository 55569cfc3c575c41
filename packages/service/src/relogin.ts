import { CtdError, type SourceId } from '@ctd/core';
import {
  commandArgv,
  isInteractiveCommand,
  type LoginCommandResult,
  type MethodProgress,
  type ReloginMethodType,
  type RunningLogin,
  startLoginCommand,
} from '@ctd/refresher';
import type { SourceAdapter } from '@ctd/scanners';
import type { RefreshOutput, ScanOutput } from './schemas.ts';

/** How a caller runs a re-login method with `refreshToken` (a terminal, a dashboard, an RPC). */
export interface RefreshRunOptions {
  /** Gets each line of the login command's output, the page to open, and each step. */
  readonly onProgress?: ((progress: MethodProgress) => void) | undefined;
  /** Cancels a running login command. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Wait for the login command to end, then scan the source again and report the result (a
   * terminal). Without it (an RPC), the answer comes as soon as the command shows its login page,
   * the command goes on in the background, and the new login is picked up when it ends.
   * @default false
   */
  readonly wait?: boolean | undefined;
  /** The command may ask questions on this process's terminal (stdin inherited). @default false */
  readonly terminal?: boolean | undefined;
  /** Stop the login command after this long (ms). @default 10 minutes */
  readonly timeoutMs?: number | undefined;
}

/** A login command running in the background, one per source. */
export interface ActiveLogin {
  readonly method: ReloginMethodType;
  readonly login: RunningLogin;
}

/** What the service gives {@link runRelogin}. */
export interface ReloginContext {
  readonly adapter: SourceAdapter;
  readonly method: ReloginMethodType;
  /** The key page of the credential's provider, when it has one. */
  readonly keyPage: string | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly options: RefreshRunOptions;
  /** Scans the source again (validate, import, record) once the CLI wrote its new login. */
  readonly rescan: (sources: readonly SourceId[]) => Promise<ScanOutput>;
  /** Logins running in the background, by source (shared by the service's calls). */
  readonly active: Map<SourceId, ActiveLogin>;
}

/** The part of the `refreshToken` answer a re-login method fills in. */
export type ReloginAnswer = Pick<RefreshOutput, 'open' | 'run' | 'after' | 'note'>;

/** How long an RPC waits for a login command to show its page before answering without one (ms). */
const URL_WAIT_MS = 30_000;

function afterOf(output: ScanOutput): NonNullable<RefreshOutput['after']> {
  return output.credentials.map((c) => ({
    id: c.id,
    label: c.label,
    provider: c.provider,
    expiresAt: c.expiresAt,
    ...(c.validation ? { status: c.validation.status } : {}),
    import: c.import,
  }));
}

/**
 * Runs one re-login method for a source: a key page or a pasted key is handed back to the caller
 * (it opens the page, or pastes the key through `importManual`); the CLI's browser or device login
 * and its login command are run on this machine with `startLoginCommand` (timeout, cancellable,
 * output as progress), the page and code they print relayed; once the command ends, the source is
 * scanned again so the new login is validated, imported and recorded.
 */
export async function runRelogin(ctx: ReloginContext): Promise<ReloginAnswer> {
  const { adapter, method, options } = ctx;
  if (method === 'key-page') {
    if (!ctx.keyPage) {
      throw new CtdError('BAD_USAGE', `refreshToken: ${adapter.displayName} has no key page`);
    }
    options.onProgress?.({ type: 'open-url', url: ctx.keyPage });
    return {
      open: { url: ctx.keyPage },
      run: { method, status: 'done' },
      note: `Open ${ctx.keyPage}, create a key, then paste it (importManual, or \`ctd import-manual ${adapter.id} -\`): it is checked before it is kept.`,
    };
  }
  if (method === 'paste-key') {
    return {
      run: { method, status: 'not-run' },
      note: `Paste the key with importManual {cli: "${adapter.id}", token} (or \`ctd import-manual ${adapter.id} -\`): it is recognised by its shape, checked with its provider, then imported.`,
    };
  }
  const command = method === 'browser-login' ? adapter.login?.browserCommand : adapter.login?.command;
  const argv = command ? commandArgv(command) : null;
  if (!command || !argv) {
    throw new CtdError('BAD_USAGE', `refreshToken: ${adapter.displayName} has no ${method} command`);
  }
  if (isInteractiveCommand(command) && !options.terminal) {
    throw new CtdError(
      'BAD_USAGE',
      `refreshToken: \`${command}\` needs a person at a terminal on the machine that holds the login; run it there (or \`ctd refresh ${adapter.id} --method ${method}\`)`,
    );
  }
  const running = ctx.active.get(adapter.id);
  if (running && !options.wait) {
    // One login per CLI at a time: a second request gets the page of the one running.
    const page = await withTimeout(running.login.url, URL_WAIT_MS);
    return {
      ...(page ? { open: page } : {}),
      run: { method: running.method, status: 'started' },
      note: `A ${adapter.displayName} login is already running; finish it in the browser.`,
    };
  }
  const login = startLoginCommand(argv, {
    env: ctx.env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onProgress: options.onProgress,
    stdin: options.terminal ? 'inherit' : 'ignore',
  });
  const entry: ActiveLogin = { method, login };
  ctx.active.set(adapter.id, entry);
  const finished = login.done.then(async (r): Promise<{ r: LoginCommandResult; after?: ScanOutput }> => {
    if (ctx.active.get(adapter.id) === entry) ctx.active.delete(adapter.id);
    // The watcher may pick the new store up first; a rescan here makes it certain either way.
    if (r.status !== 'done') return { r };
    try {
      return { r, after: await ctx.rescan([adapter.id]) };
    } catch {
      return { r };
    }
  });
  if (options.wait) {
    const page = await login.url;
    const { r, after } = await finished;
    return {
      ...(page ? { open: page } : {}),
      run: {
        method,
        status: r.status,
        exitCode: r.exitCode,
        ...(r.reason ? { reason: r.reason } : {}),
      },
      ...(after ? { after: afterOf(after) } : {}),
      note:
        r.status === 'done'
          ? `${adapter.displayName}'s login finished; its store was scanned again.`
          : `${adapter.displayName}'s login did not finish: ${r.reason ?? r.status}.`,
    };
  }
  void finished;
  const page = await Promise.race([
    login.url,
    withTimeout(
      login.done.then(() => null),
      URL_WAIT_MS,
    ),
  ]);
  const ended = await Promise.race([login.done, Promise.resolve(undefined)]);
  if (ended && ended.status !== 'done') {
    return {
      ...(page ? { open: page } : {}),
      run: {
        method,
        status: ended.status,
        exitCode: ended.exitCode,
        ...(ended.reason ? { reason: ended.reason } : {}),
      },
      note: `${adapter.displayName}'s login did not finish: ${ended.reason ?? ended.status}.`,
    };
  }
  return {
    ...(page ? { open: page } : {}),
    run: { method, status: ended ? 'done' : 'started' },
    note: page
      ? `Open ${page.url}${page.code ? ` and enter the code ${page.code}` : ''} in a browser; ${adapter.displayName} then writes its new login, which is picked up by itself.`
      : `\`${command}\` is running on the machine that holds the login; the new login is picked up when it ends.`,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    timer.unref();
    void promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}
