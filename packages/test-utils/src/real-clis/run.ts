import { spawn } from 'node:child_process';
import { dirname } from 'node:path';

/** Options of {@link runRealCli}. */
export interface RunRealCliOptions {
  /** The home the CLI sees (`HOME`); its store is written there. */
  readonly home: string;
  /** Extra variables (stand-in URLs, proxies, CA files). Nothing else is inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the CLI's standard input, which is then closed. */
  readonly input?: string;
  /** The working directory. @default the home */
  readonly cwd?: string;
  /** Kill the CLI after this long. @default 30 000 */
  readonly timeoutMs?: number;
}

/** What a CLI run gave. */
export interface RealCliRun {
  /** The exit code, or null when it was killed (see `timedOut`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** A loopback URL nothing listens on, so a call to it is refused at once. */
const REFUSED_URL = 'http://127.0.0.1:9';

/**
 * Calls the CLIs make on their own, kept off the network. Where the network drops packets instead
 * of refusing them, each such call waits for its own timeout, in front of what the test waits for.
 * - opencode, in a fresh home, fetches its model catalogue (models.opencode.ai) before its first
 *   prompt (10 s timeout, 2 retries: the prompt came after 24 s) and npm-installs
 *   `@opencode-ai/plugin` (about 30 MB) in the background. Both go to a refused loopback port:
 *   opencode then runs on its built-in provider list, as offline, and only logs the failed install.
 * - Claude Code, logged in, fetches feature flags and the like ("nonessential traffic"):
 *   `claude auth status` took 11 s instead of 0.7 s.
 */
const OFFLINE: Readonly<Record<string, string>> = {
  OPENCODE_MODELS_URL: REFUSED_URL,
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  npm_config_registry: `${REFUSED_URL}/`,
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};

/**
 * The environment a real CLI runs with: a temp `HOME`, this process's Node first on `PATH` (the
 * CLIs need Node >= 22), the system directories, the variables that keep the calls a CLI makes on
 * its own off the network, and what the test adds. Nothing else is inherited, so a token in the
 * developer's environment (`GH_TOKEN`, `OPENAI_API_KEY`) never reaches a CLI.
 *
 * @param home - the temp home
 * @param extra - variables the test adds
 */
export function realCliEnv(
  home: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    HOME: home,
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    NO_COLOR: '1',
    DO_NOT_TRACK: '1',
    NO_UPDATE_NOTIFIER: '1',
    DISABLE_AUTOUPDATER: '1',
    ...OFFLINE,
    ...extra,
  };
}

/**
 * Runs a real CLI with a temp home and a clean environment ({@link realCliEnv}), feeding `input` on
 * standard input (how `codex login --with-api-key` and `copilot login --with-token` read a token).
 *
 * @param command - the CLI's command (from `ensureRealClis().clis.bin`)
 * @param args - its arguments
 * @param options - home, environment, input, timeout
 */
export function runRealCli(
  command: string,
  args: readonly string[],
  options: RunRealCliOptions,
): Promise<RealCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? options.home,
      env: realCliEnv(options.home, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => {
      // The CLI may exit before reading its input; what it printed says why.
    });
    child.stdin.end(options.input ?? '');
  });
}
