import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { realCliEnv } from './run.ts';

const exec = promisify(execFile);

let sessions = 0;

/** A real CLI's terminal UI running in a private tmux server, driven key by key. */
export interface TmuxSession {
  /** Waits until the screen shows `text` (or matches it); rejects with the screen after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Types `text` literally (no key names), without Enter. */
  type(text: string): Promise<void>;
  /**
   * Types `text`, waits until the screen shows it (a TUI that gets Enter in the same burst as the
   * text takes it for part of a paste and drops it), then presses Enter.
   *
   * @param echo - what the screen shows once the text is in, for a masked input
   *   @default the text's last 12 characters
   * @param next - what the screen shows once the TUI took the Enter: while it does not, and the text
   *   is still on the screen (an ink TUI may render the text before its state holds it, and then
   *   refuse the Enter as an empty field), Enter is pressed again, up to 3 times in all
   */
  submit(text: string, echo?: string | RegExp, next?: string | RegExp): Promise<void>;
  /** Sends tmux key names (`Enter`, `Down`, `Escape`, `C-c`). */
  keys(...names: string[]): Promise<void>;
  /** The screen as text. */
  screen(): Promise<string>;
  /** Ends the session and its tmux server. */
  close(): Promise<void>;
}

/** Whether tmux is on `PATH` (the setup installs it; see docs/cli-formats.md). */
export async function hasTmux(): Promise<boolean> {
  try {
    await exec('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Whether a screen shows a text (a substring) or matches a pattern. */
function shows(screen: string, text: string | RegExp): boolean {
  return typeof text === 'string' ? screen.includes(text) : text.test(screen);
}

/**
 * Starts `command args` in a fresh tmux server of its own (a private socket, so no user session is
 * touched), 120×40, with the clean environment of {@link realCliEnv}.
 *
 * @param command - the CLI's command
 * @param args - its arguments
 * @param home - the temp home
 * @param env - variables the test adds
 * @param cwd - the working directory @default the home
 */
export async function startTmux(
  command: string,
  args: readonly string[],
  home: string,
  env: Readonly<Record<string, string>> = {},
  cwd: string = home,
): Promise<TmuxSession> {
  sessions += 1;
  const socket = `ctd-real-cli-${process.pid}-${sessions}`;
  const vars = Object.entries(realCliEnv(home, env)).map(([k, v]) => quote(`${k}=${v}`));
  // `env -i` so the tmux server's own environment does not reach the CLI; the pane outlives the CLI
  // (its exit status printed last), so its final screen can still be read.
  const line = [
    'cd',
    quote(cwd),
    '&&',
    'env',
    '-i',
    ...vars,
    quote(command),
    ...args.map(quote),
    '; echo "[ctd: exit $?]"; exec sleep 600',
  ].join(' ');
  const tmux = (...a: string[]) => exec('tmux', ['-L', socket, '-f', '/dev/null', ...a]);
  await tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '40', line);
  const session: TmuxSession = {
    async screen() {
      const { stdout } = await tmux('capture-pane', '-p', '-t', 'cli');
      return stdout;
    },
    async waitFor(text, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let screen = '';
        try {
          screen = await session.screen();
        } catch {
          // The CLI exited and took the session with it.
          throw new Error(`the CLI exited before showing ${String(text)}`);
        }
        if (shows(screen, text)) return screen;
        if (screen.includes('[ctd: exit '))
          throw new Error(`the CLI exited before showing ${String(text)}; screen:\n${screen}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async type(text) {
      await tmux('send-keys', '-t', 'cli', '-l', text);
    },
    async submit(text, echo = text.slice(-12), next) {
      await session.type(text);
      await session.waitFor(echo);
      await session.keys('Enter');
      if (next === undefined) return;
      for (let attempt = 1; attempt < 3; attempt++) {
        try {
          await session.waitFor(next, 5_000);
          return;
        } catch {
          const screen = await session.screen().catch(() => '');
          // Moved on, only slowly: no second Enter, just the full wait below.
          if (!shows(screen, echo)) break;
          await session.keys('Enter');
        }
      }
      await session.waitFor(next);
    },
    async keys(...names) {
      await tmux('send-keys', '-t', 'cli', ...names);
    },
    async close() {
      await tmux('kill-server').catch(() => undefined);
    },
  };
  return session;
}
