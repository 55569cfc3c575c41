import { CtdError, escapeControlChars } from '@ctd/core';

/** One step of a running method, for whoever watches it (a terminal, a dashboard). */
export type MethodProgress =
  /** A line the command printed (control characters escaped, cut at 500 characters). */
  | { readonly type: 'output'; readonly line: string }
  /** A page to open in a browser, and the code to enter there (not secrets: they only start a login). */
  | { readonly type: 'open-url'; readonly url: string; readonly code?: string | undefined }
  /** What the method is doing. */
  | { readonly type: 'status'; readonly message: string };

/** Default time a login command may run before it is stopped (ms): 10 minutes. */
export const DEFAULT_LOGIN_TIMEOUT_MS: number = 10 * 60 * 1000;

/** Options of {@link startLoginCommand}. */
export interface LoginCommandOptions {
  /** The environment of the command (HOME, PATH, the CLI's overrides). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Stopped after this long (ms). @default 10 minutes */
  readonly timeoutMs?: number | undefined;
  /** Stops the command (SIGTERM, then SIGKILL after 2 s). */
  readonly signal?: AbortSignal | undefined;
  /** Gets each line of output and each login page found in it. */
  readonly onProgress?: ((progress: MethodProgress) => void) | undefined;
  /** A terminal's stdin for a command that asks questions; `ignore` anywhere else. @default 'ignore' */
  readonly stdin?: 'ignore' | 'inherit' | undefined;
}

/** How a login command ended. */
export interface LoginCommandResult {
  readonly status: 'done' | 'failed' | 'timed-out' | 'cancelled';
  readonly exitCode: number | null;
  /** Why it failed, in a sentence (never the command's output). */
  readonly reason?: string | undefined;
}

/** A running login command. */
export interface RunningLogin {
  /** The first login page the command printed (and its code), or null when it ended without one. */
  readonly url: Promise<{ url: string; code?: string | undefined } | null>;
  /** How it ended. Never rejects. */
  readonly done: Promise<LoginCommandResult>;
  /** Stops it. */
  cancel(): void;
}

const MAX_LINE = 500;
const URL_RE = /\bhttps?:\/\/[^\s"'<>`]+/;
// Device codes as CLIs print them: groups of letters and digits joined by a dash ("ABCD-EFGH",
// "1A2B-3C4D5"), or after the word "code".
const CODE_RE =
  /\b(?:code)\b[^A-Za-z0-9]{1,20}([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})+|[A-Z0-9]{6,12})\b|\b([A-Z0-9]{4}-[A-Z0-9]{4,5})\b/;
// ANSI escape sequences (colours, cursor moves) that CLIs print on a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ANSI_RE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(?:\u0007|\u001b\\)/g;

/** A line of output as it is shown: no escape sequences, control characters escaped, bounded. */
export function cleanLine(line: string): string {
  const text = escapeControlChars(line.replace(ANSI_RE, '').replace(/\r$/, ''));
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}

/** The login page and code in a line of a login command's output, if any. */
export function findLoginPage(line: string): { url?: string; code?: string } {
  const clean = line.replace(ANSI_RE, '');
  const url = URL_RE.exec(clean)?.[0]?.replace(/[).,;]+$/, '');
  const m = CODE_RE.exec(url ? clean.replace(url, ' ') : clean);
  const code = m?.[1] ?? m?.[2];
  return { ...(url ? { url } : {}), ...(code ? { code } : {}) };
}

/**
 * Runs a CLI's login command (`execa`, no shell) on this machine: its output goes line by line
 * to `onProgress` (escaped and bounded; it is shown, never parsed for secrets and never logged by
 * this library), the first login page it prints (and its device code) is relayed, and it is
 * stopped by the timeout or the signal. The CLI writes its own store; a watcher picks it up.
 *
 * @param argv - the command and its arguments (e.g. from `commandArgv`)
 * @param options - environment, timeout, cancellation, progress
 */
export function startLoginCommand(argv: readonly string[], options: LoginCommandOptions): RunningLogin {
  const [file, ...args] = argv;
  if (!file) throw new CtdError('BAD_USAGE', 'no login command to run');
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const progress = (p: MethodProgress) => {
    try {
      options.onProgress?.(p);
    } catch {
      // A watcher's failure does not stop the login.
    }
  };
  let resolveUrl!: (v: { url: string; code?: string | undefined } | null) => void;
  const url = new Promise<{ url: string; code?: string | undefined } | null>((r) => {
    resolveUrl = r;
  });
  type Page = { url: string; code?: string | undefined };
  // Held in an object: the stream loop below sets it, and the end reads it.
  const state: { found: Page | null; pendingCode: string | undefined } = {
    found: null,
    pendingCode: undefined,
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  progress({ type: 'status', message: `running ${argv.join(' ')}` });
  // execa (and its dependencies) load only when a login command runs: every process that merely
  // imports the refresher (a scan, a gateway) would otherwise pay for them at start-up.
  const started = import('execa').then(({ execa }) => ({
    subprocess: execa(file, args, {
      env: { ...(options.env as Record<string, string>) },
      extendEnv: false,
      stdin: options.stdin ?? 'ignore',
      all: true,
      buffer: false,
      reject: false,
      timeout: timeoutMs,
      cancelSignal: controller.signal,
      forceKillAfterDelay: 2_000,
      windowsHide: true,
    }),
  }));
  let relayed = false;
  const relay = (page: Page) => {
    if (relayed) return;
    relayed = true;
    progress({ type: 'open-url', ...page });
    resolveUrl(page);
  };
  const lines = (async () => {
    try {
      const { subprocess } = await started;
      for await (const raw of subprocess.iterable({ from: 'all' })) {
        const line = String(raw);
        progress({ type: 'output', line: cleanLine(line) });
        const page = findLoginPage(line);
        const found = state.found;
        if (!found && page.url) {
          const code = page.code ?? state.pendingCode;
          state.found = { url: page.url, ...(code ? { code } : {}) };
          if (code) relay(state.found);
        } else if (found && !found.code && page.code) {
          state.found = { ...found, code: page.code };
          relay(state.found);
        } else if (!found && page.code) state.pendingCode = page.code;
        // A URL without a code on its line or the next: relayed as it is.
        else if (found && !found.code && !page.url) relay(found);
      }
    } catch {
      // The stream ends with the process (killed, timed out): the result says how.
    }
  })();
  const done = (async (): Promise<LoginCommandResult> => {
    const r = await (await started).subprocess;
    await lines;
    options.signal?.removeEventListener('abort', onAbort);
    // A URL printed last, with no line after it; or none at all.
    if (state.found) relay(state.found);
    else resolveUrl(null);
    const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
    if (r.isCanceled) return { status: 'cancelled', exitCode, reason: 'the login was cancelled' };
    if (r.timedOut) {
      return {
        status: 'timed-out',
        exitCode,
        reason: `the login command did not finish within ${Math.round(timeoutMs / 1000)} s`,
      };
    }
    if (r.failed) {
      const why =
        (r as { code?: string }).code === 'ENOENT'
          ? `\`${file}\` was not found on PATH`
          : exitCode !== null
            ? `the login command exited with code ${exitCode}`
            : `the login command was stopped${r.signal ? ` by ${r.signal}` : ''}`;
      return { status: 'failed', exitCode, reason: why };
    }
    return { status: 'done', exitCode };
  })();
  void done.then((r) => progress({ type: 'status', message: r.reason ?? 'the login command finished' }));
  return { url, done, cancel: () => controller.abort() };
}
