// Harness for running a real OpenClaw gateway on loopback: the pinned install, a packed plugin,
// an isolated home/state/config, the gateway process (owned by PID), its CLI and a raw WebSocket
// client. Shared by the e2e suite and the readyz bench; runs under vitest and plain Node (type
// stripping), so it only uses erasable TypeScript.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTempHome, type TempHome } from '@ctd/test-utils';

/** The repository root. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/** The plugin package that gets packed (override with `CTD_E2E_PLUGIN_DIR` to try another build). */
export const PLUGIN_DIR = resolve(
  process.env.CTD_E2E_PLUGIN_DIR ?? fileURLToPath(new URL('..', import.meta.url)),
);
/** The plugin's manifest id: the key of `plugins.entries.<id>`. */
export const PLUGIN_ID = 'cli-token-discovery';

/** Where the pinned Node, OpenClaw and ws live (written by scripts/openclaw-e2e-install.mjs). */
export interface OpenClawInstall {
  readonly dir: string;
  /** Node 24 binary that runs the gateway and its CLI. */
  readonly node: string;
  /** `openclaw.mjs`, the CLI and gateway entry. */
  readonly openclaw: string;
  readonly ws: string;
  readonly version: string;
}

/** Thrown when this machine cannot run the e2e install (e.g. not linux-x64). */
export class OpenClawUnavailableError extends Error {
  override name = 'OpenClawUnavailableError';
}

/**
 * Runs the idempotent install script (instant once installed, about a minute the first time)
 * and returns the paths it installed.
 */
export function ensureOpenClaw(): OpenClawInstall {
  const script = join(REPO_ROOT, 'scripts', 'openclaw-e2e-install.mjs');
  const r = spawnSync(process.execPath, [script, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  if (r.status === 3) throw new OpenClawUnavailableError(r.stderr.trim());
  if (r.error || r.status !== 0) {
    throw new Error(
      `openclaw e2e install failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}${r.stdout}`,
    );
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as OpenClawInstall;
}

/** What `pnpm pack` produced. */
export interface PackedPlugin {
  readonly tarball: string;
  /** Paths inside the package, e.g. `dist/index.js`. */
  readonly files: readonly string[];
}

/** The repository's pnpm (provisioned by the setup), else the one on PATH. */
function pnpmBin(): string {
  const local = join(REPO_ROOT, '.cache', 'bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

/**
 * Packs the plugin with `pnpm pack`, as it is published (the packed package.json has no
 * devDependencies, no `workspace:` ranges and no `@ctd/source` condition), into `destDir`.
 * The package must have been built (`turbo run build`) first.
 */
export function packPlugin(destDir: string, pluginDir: string = PLUGIN_DIR): PackedPlugin {
  if (!existsSync(join(pluginDir, 'dist', 'index.js'))) {
    throw new Error(`${pluginDir}/dist/index.js is missing: run \`pnpm exec turbo run build\` first`);
  }
  const r = spawnSync(pnpmBin(), ['pack', '--json', '--pack-destination', destDir], {
    cwd: pluginDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error || r.status !== 0) {
    throw new Error(`pnpm pack failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}${r.stdout}`);
  }
  const info = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] };
  return { tarball: resolve(destDir, info.filename), files: info.files.map((f) => f.path) };
}

/** A free TCP port on 127.0.0.1 (free when asked; the gateway takes it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`.
 *
 * @param what - named in the timeout error
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The result of one `openclaw …` command. */
export interface CliResult {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Options of {@link createSandbox}. */
export interface SandboxOptions {
  /** Extra environment for the gateway and CLI (e.g. `CTD_*_BASE_URL`). */
  env?: Record<string, string>;
  /** Temp dir name prefix. */
  prefix?: string;
}

// Gateways still running when this process exits (a crashed run, an interrupted suite) are
// killed by PID, so none is ever left behind.
const liveGateways = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGateways) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * An isolated OpenClaw world: a temp home (also `HOME` for the CLIs the plugin scans), OpenClaw's
 * state and config under `~/.openclaw`, logs inside it, its own TMPDIR, a free loopback port and
 * a random gateway token. Harness files (gateway output, PID, packed plugin) go to `~/.e2e`.
 */
export class Sandbox {
  readonly install: OpenClawInstall;
  readonly home: TempHome;
  readonly port: number;
  readonly token: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly logFile: string;
  readonly tmpDir: string;
  readonly harnessDir: string;
  readonly env: Record<string, string>;
  /** Every CLI command run in this sandbox, for leak checks. */
  readonly cliResults: CliResult[] = [];

  constructor(install: OpenClawInstall, home: TempHome, port: number, extraEnv: Record<string, string>) {
    this.install = install;
    this.home = home;
    this.port = port;
    this.token = `e2e-test-token-${randomBytes(12).toString('hex')}`;
    this.stateDir = home.resolve('.openclaw');
    this.configPath = join(this.stateDir, 'openclaw.json');
    this.logFile = join(this.stateDir, 'logs', 'openclaw.log');
    this.tmpDir = home.resolve('.e2e/tmp');
    this.harnessDir = home.resolve('.e2e');
    // Built from scratch, not inherited: the developer's own provider keys, CLI homes and proxies
    // must not reach the gateway. PATH keeps the system's for `npm` (the gateway runs `npm root -g`).
    this.env = {
      PATH: `${dirname(install.node)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home.path,
      OPENCLAW_HOME: home.path,
      OPENCLAW_STATE_DIR: this.stateDir,
      OPENCLAW_CONFIG_PATH: this.configPath,
      OPENCLAW_GATEWAY_PORT: String(port),
      OPENCLAW_GATEWAY_TOKEN: this.token,
      OPENCLAW_DISABLE_BONJOUR: '1',
      OPENCLAW_NO_RESPAWN: '1',
      OPENCLAW_SKIP_CHANNELS: '1',
      OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
      OPENCLAW_NO_AUTO_UPDATE: '1',
      OPENCLAW_OFFLINE: '1',
      CI: '1',
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
      TMPDIR: this.tmpDir,
      TZ: 'UTC',
      LANG: 'C.UTF-8',
      ...extraEnv,
    };
  }

  /** The gateway's WebSocket URL. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The gateway's HTTP origin. */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Reads the config file (OpenClaw writes it as JSON). */
  async readConfig(): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(this.configPath, 'utf8')) as Record<string, unknown>;
  }

  /** Writes the config file. */
  async writeConfig(config: Record<string, unknown>): Promise<void> {
    await mkdir(dirname(this.configPath), { recursive: true });
    await writeFile(this.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  }

  /** Writes the base config: token auth on loopback, no update check, logs inside the state dir. */
  async writeBaseConfig(): Promise<void> {
    await this.writeConfig({
      gateway: {
        mode: 'local',
        port: this.port,
        bind: 'loopback',
        auth: { mode: 'token', token: this.token },
      },
      update: { checkOnStart: false },
      logging: { file: this.logFile },
    });
  }

  /** Sets `plugins.entries.<id>` (enabled unless told otherwise, with this config) in the config file. */
  async configurePlugin(
    pluginConfig: Record<string, unknown>,
    { id = PLUGIN_ID, enabled = true }: { id?: string; enabled?: boolean } = {},
  ): Promise<void> {
    const config = await this.readConfig();
    const plugins = (config.plugins ?? {}) as Record<string, unknown>;
    const entries = (plugins.entries ?? {}) as Record<string, unknown>;
    entries[id] = { ...(entries[id] as object | undefined), enabled, config: pluginConfig };
    config.plugins = { ...plugins, entries };
    await this.writeConfig(config);
  }

  /**
   * Runs `openclaw <args>` with the sandbox's environment; never throws on a non-zero exit.
   *
   * @param options - `stdin` to pipe in; `timeoutMs` after which the command is killed by PID
   */
  openclaw(
    args: readonly string[],
    options: { stdin?: string; timeoutMs?: number } = {},
  ): Promise<CliResult> {
    const started = performance.now();
    const child = spawn(this.install.node, [this.install.openclaw, ...args], {
      cwd: this.home.path,
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.end(options.stdin ?? '');
    const timer = setTimeout(() => {
      stderr += `\n[harness] killed after ${options.timeoutMs ?? 120_000} ms`;
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 120_000);
    return new Promise((resolveResult, reject) => {
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        const result: CliResult = {
          args,
          code,
          stdout,
          stderr,
          durationMs: Math.round(performance.now() - started),
        };
        this.cliResults.push(result);
        resolveResult(result);
      });
    });
  }

  /**
   * Installs a packed plugin the way a user would (`plugins install <tgz> --force
   * --accept-capabilities`, no unsafe-install flag). Throws with the output when it fails.
   */
  async installPlugin(tarball: string): Promise<CliResult> {
    const r = await this.openclaw(['plugins', 'install', tarball, '--force', '--accept-capabilities']);
    if (r.code !== 0) {
      throw new Error(`openclaw plugins install failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }

  /** Starts `openclaw gateway run` in this sandbox (not yet waiting for readiness). */
  startGateway(): Gateway {
    return new Gateway(this);
  }

  /**
   * Text of every log the gateway and the CLI wrote: the output captures, everything in the
   * `logging.file` folder, and any `*.log` under the temp dirs (OpenClaw's default log folder is
   * `$TMPDIR/openclaw`) and npm's log folder.
   */
  async logText(): Promise<{ file: string; text: string }[]> {
    const isLog = (f: string) => f.endsWith('.log');
    const files = [
      join(this.harnessDir, 'gateway.stdout.log'),
      join(this.harnessDir, 'gateway.stderr.log'),
      ...(await listFiles(dirname(this.logFile))),
      ...(await listFiles(this.tmpDir)).filter(isLog),
      ...(await listFiles(join(this.stateDir, 'tmp'))).filter(isLog),
      ...(await listFiles(this.home.resolve('.npm/_logs'))),
    ];
    const out: { file: string; text: string }[] = [];
    for (const file of files) {
      if (existsSync(file)) out.push({ file, text: await readFile(file, 'utf8') });
    }
    return out;
  }

  /** Home-relative paths of every file in the sandbox whose bytes contain `needle`. */
  async filesContaining(needle: string): Promise<string[]> {
    const hits: string[] = [];
    for (const file of await listFiles(this.home.path)) {
      const bytes = await readFile(file).catch(() => undefined);
      if (bytes?.includes(needle)) hits.push(relative(this.home.path, file));
    }
    return hits.sort();
  }

  /** Removes the sandbox (after its gateway has stopped). */
  async cleanup(): Promise<void> {
    await this.home.cleanup();
  }
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/**
 * Creates a sandbox: a temp home, a free port, the base config.
 *
 * @param install - from {@link ensureOpenClaw}
 */
export async function createSandbox(
  install: OpenClawInstall,
  options: SandboxOptions = {},
): Promise<Sandbox> {
  const home = await createTempHome(options.prefix ?? 'ctd-e2e-');
  const sandbox = new Sandbox(install, home, await freePort(), options.env ?? {});
  await mkdir(sandbox.tmpDir, { recursive: true });
  await mkdir(dirname(sandbox.logFile), { recursive: true });
  await sandbox.writeBaseConfig();
  return sandbox;
}

/** How a gateway ended. */
export interface GatewayExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when TERM was not enough and KILL was sent. */
  readonly killed: boolean;
}

/**
 * A gateway process owned by PID: `openclaw gateway run` in the foreground (no respawn), its
 * stdout and stderr captured to files in the sandbox.
 */
export class Gateway {
  readonly sandbox: Sandbox;
  readonly pid: number;
  /** `performance.now()` when spawned. */
  readonly spawnedAt: number;
  /** `performance.now()` when `/readyz` first answered 200. */
  readyAt: number | undefined;
  #child: ChildProcess;
  #exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exited = false;

  constructor(sandbox: Sandbox) {
    this.sandbox = sandbox;
    const out = openSync(join(sandbox.harnessDir, 'gateway.stdout.log'), 'a');
    const err = openSync(join(sandbox.harnessDir, 'gateway.stderr.log'), 'a');
    const port = String(sandbox.port);
    this.spawnedAt = performance.now();
    this.#child = spawn(
      sandbox.install.node,
      [
        sandbox.install.openclaw,
        'gateway',
        'run',
        '--port',
        port,
        '--bind',
        'loopback',
        '--auth',
        'token',
        '--token',
        sandbox.token,
      ],
      { cwd: sandbox.home.path, env: sandbox.env, stdio: ['ignore', out, err] },
    );
    closeSync(out);
    closeSync(err);
    if (!this.#child.pid) throw new Error('the gateway did not start (no PID)');
    this.pid = this.#child.pid;
    liveGateways.add(this.pid);
    this.#exit = new Promise((resolveExit) => {
      this.#child.once('exit', (code, signal) => {
        this.#exited = true;
        liveGateways.delete(this.pid);
        resolveExit({ code, signal });
      });
    });
    void writeFile(join(sandbox.harnessDir, 'gateway.pid'), `${this.pid}\n`);
  }

  /** True while the process runs. */
  get running(): boolean {
    return !this.#exited;
  }

  /** Waits until `GET /readyz` answers 200; throws with the log tail if the gateway dies first. */
  async waitReady(timeoutMs = 180_000): Promise<number> {
    await waitFor(
      'the gateway /readyz',
      async () => {
        if (this.#exited) {
          throw new GatewayDiedError(`the gateway exited before it was ready:\n${this.outputTail()}`);
        }
        const res = await fetch(`${this.sandbox.httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: unknown) => {
      if (error instanceof Error && this.#exited) {
        throw new GatewayDiedError(`the gateway exited before it was ready:\n${this.outputTail()}`);
      }
      throw error;
    });
    this.readyAt = performance.now();
    return this.readyAt - this.spawnedAt;
  }

  /** The last lines of the gateway's stdout and stderr. */
  outputTail(lines = 40): string {
    const read = (name: string) => {
      try {
        return readFileSync(join(this.sandbox.harnessDir, name), 'utf8');
      } catch {
        return '';
      }
    };
    return `${read('gateway.stdout.log')}\n${read('gateway.stderr.log')}`
      .trim()
      .split('\n')
      .slice(-lines)
      .join('\n');
  }

  /**
   * Stops the gateway by its PID: SIGTERM, then SIGKILL if it has not exited after `graceMs`.
   * Safe to call twice.
   */
  async stop(graceMs = 20_000): Promise<GatewayExit> {
    let killed = false;
    if (!this.#exited) {
      process.kill(this.pid, 'SIGTERM');
      const timedOut = await Promise.race([
        this.#exit.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut && !this.#exited) {
        killed = true;
        process.kill(this.pid, 'SIGKILL');
      }
    }
    const { code, signal } = await this.#exit;
    return { code, signal, killed };
  }
}

/** The gateway exited while the harness waited for it. */
export class GatewayDiedError extends Error {
  override name = 'GatewayDiedError';
}

/** A response frame's outcome. */
export interface RpcResult<T = unknown> {
  readonly ok: boolean;
  readonly payload?: T;
  readonly error?: { code: string; message: string; details?: unknown; retryable?: boolean };
}

/** The part of `ws`'s WebSocket this client uses. */
interface WsSocket {
  on(event: 'message', listener: (data: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'close', listener: () => void): void;
  send(data: string): void;
  close(): void;
}
type WsConstructor = new (url: string) => WsSocket;

/**
 * A raw gateway WebSocket client (protocol 4) that connects as a trusted local backend
 * (`gateway-client` / `backend`) with the shared token. Every response frame is kept (as text)
 * so tests can check that no secret ever came back.
 */
export class GatewayClient {
  readonly frames: string[] = [];
  /** The methods the gateway listed in hello-ok. */
  methods: readonly string[] = [];
  /** The scopes the gateway granted. */
  scopes: readonly string[] = [];
  #ws: WsSocket;
  #pending = new Map<string, (frame: RpcResult) => void>();
  #closed = false;

  private constructor(ws: WsSocket) {
    this.#ws = ws;
  }

  /**
   * Opens a connection and completes the handshake.
   *
   * @param scopes - operator scopes to ask for
   */
  static connect(
    sandbox: Sandbox,
    scopes: readonly string[] = ['operator.read', 'operator.write'],
  ): Promise<GatewayClient> {
    const WebSocket = createRequire(join(sandbox.install.dir, 'package.json'))('ws') as WsConstructor;
    const ws = new WebSocket(sandbox.wsUrl);
    const client = new GatewayClient(ws);
    return new Promise((resolveClient, reject) => {
      // Generous: a loaded machine slows the handshake; only a gateway that never answers fails it.
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error('gateway handshake timed out after 60 s'));
      }, 60_000);
      ws.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.on('close', () => {
        client.#closed = true;
        for (const done of client.#pending.values()) {
          done({ ok: false, error: { code: 'CLOSED', message: 'connection closed' } });
        }
        client.#pending.clear();
      });
      ws.on('message', (data) => {
        const text = String(data);
        client.frames.push(text);
        const frame = JSON.parse(text) as { type?: string; event?: string; id?: string } & RpcResult;
        if (frame.type === 'event' && frame.event === 'connect.challenge') {
          void client
            .call('connect', {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: 'gateway-client', version: '0.0.0-e2e', platform: 'linux', mode: 'backend' },
              role: 'operator',
              scopes,
              caps: [],
              auth: { token: sandbox.token },
            })
            .then((hello) => {
              clearTimeout(timer);
              if (!hello.ok) {
                ws.close();
                reject(new Error(`connect failed: ${JSON.stringify(hello.error)}`));
                return;
              }
              const p = hello.payload as { features?: { methods?: string[] }; auth?: { scopes?: string[] } };
              client.methods = p.features?.methods ?? [];
              client.scopes = p.auth?.scopes ?? [];
              resolveClient(client);
            });
        } else if (frame.type === 'res' && frame.id) {
          const done = client.#pending.get(frame.id);
          client.#pending.delete(frame.id);
          done?.({ ok: frame.ok, payload: frame.payload, error: frame.error } as RpcResult);
        }
      });
    });
  }

  /**
   * Calls a gateway method and waits for its response frame.
   *
   * @param timeoutMs - the call fails (ok:false, code TIMEOUT) after this long
   */
  call<T = unknown>(method: string, params: unknown = {}, timeoutMs = 90_000): Promise<RpcResult<T>> {
    if (this.#closed) return Promise.resolve({ ok: false, error: { code: 'CLOSED', message: 'closed' } });
    const id = randomUUID();
    return new Promise((resolveCall) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolveCall({ ok: false, error: { code: 'TIMEOUT', message: `${method} timed out` } });
      }, timeoutMs);
      this.#pending.set(id, (frame) => {
        clearTimeout(timer);
        resolveCall(frame as RpcResult<T>);
      });
      this.#ws.send(JSON.stringify({ type: 'req', id, method, params }));
    });
  }

  /** Closes the connection. */
  close(): void {
    this.#closed = true;
    this.#ws.close();
  }
}
