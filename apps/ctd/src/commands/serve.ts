import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CtdError, toCtdError } from '@ctd/core';
import { ALL_ADAPTERS } from '@ctd/scanners';
import {
  parseServiceConfig,
  ROTATION_STRATEGIES,
  type ServiceConfig,
  type TokenDiscoveryClient,
} from '@ctd/service';
import { parseCommandArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { onInterrupt } from '../lifecycle.ts';
import { openService } from '../service.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd serve [options]

The Token Discovery dashboard on a local web page: every credential with its status, "Scan now",
the refresh methods of a login that no longer works, a field to paste a new key, usage graphs and
the settings. It listens on 127.0.0.1 only, on a random port, and prints its address once, with a
random access token in it; the page opens in your browser when there is a display. Requests
without the token, or from another host name or origin (a DNS-rebinding page), are refused.
Settings changed on the page last until the server stops. Ctrl-C stops it.

Options:
  --no-open         print the address, do not open a browser
  --file <path>     the history file (see \`ctd help history\`)
  -h, --help        show this help

Exit codes: 0 stopped, 1 the server could not start, 2 bad usage.`;

/** What `getConfig` / `setConfig` answer: the settings, the strategies and the sources. */
interface SettingsSnapshot {
  config: ServiceConfig;
  strategies: readonly string[];
  sources: { id: string; displayName: string; loginHint: string }[];
  descriptions: Record<string, string>;
}

/** The client the page talks to: the service's six operations plus the session's settings. */
export type ServeClient = TokenDiscoveryClient & {
  getConfig(): Promise<SettingsSnapshot>;
  setConfig(input: unknown): Promise<SettingsSnapshot>;
};

/** Options of {@link startServeServer}. */
export interface ServeServerOptions {
  client: ServeClient;
  /** The page's script (the `@ctd/ui-lit` page, bundled). */
  pageScript: string;
  /** The access token; a random one when unset. */
  token?: string | undefined;
  /** The port; a random free one when 0. @default 0 */
  port?: number | undefined;
}

/** A running `ctd serve`: its address (with the token in the fragment) and how to stop it. */
export interface ServeServer {
  /** `http://127.0.0.1:<port>/#token=<token>`: the only place the token is shown. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const OPERATIONS = new Set([
  'scan',
  'status',
  'getHistory',
  'clearHistory',
  'refreshToken',
  'importManual',
  'getConfig',
  'setConfig',
]);
const MAX_BODY = 64 * 1024;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Token Discovery · ctd</title>
<style>:root{color-scheme:light dark}body{margin:0;font-family:system-ui,sans-serif;background:Canvas;color:CanvasText}main{max-width:90rem;margin:0 auto}</style>
<script type="module" src="/app.js"></script>
</head>
<body><main></main></body>
</html>`;

// Every answer: no caching, no sniffing, no framing, no referrer; the page runs only its own script.
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function httpStatusOf(code: string): number {
  if (code === 'BAD_USAGE') return 400;
  if (code === 'NOT_FOUND') return 404;
  return 500;
}

/**
 * Starts the HTTP server of `ctd serve` on 127.0.0.1: `GET /` (the page), `GET /app.js` (its
 * script) and `POST /api/<operation>` (JSON in, `{ok, result}` or `{ok: false, error: {code,
 * message}}` out, bearer token required). A request whose `Host` is not this server's loopback
 * address, or whose `Origin` (or `Sec-Fetch-Site`) says another site, is refused: a page on another
 * origin, or one that rebinds its DNS name to 127.0.0.1, gets nothing.
 */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      ...headers,
    });
    res.end(text);
  };
  const refuse = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { ok: false, error: { code, message } });

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new CtdError('BAD_USAGE', 'request body too large');
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new CtdError('BAD_USAGE', 'request body is not JSON');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      return refuse(res, 403, 'FORBIDDEN_HOST', 'this server answers only to its loopback address');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return refuse(res, 403, 'FORBIDDEN_ORIGIN', 'requests from another origin are refused');
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return refuse(res, 403, 'FORBIDDEN_ORIGIN', 'requests from another site are refused');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method === 'GET' && url.pathname === '/') {
      return send(res, 200, PAGE, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
      });
    }
    if (req.method === 'GET' && url.pathname === '/app.js') {
      return send(res, 200, options.pageScript, { 'content-type': 'text/javascript; charset=utf-8' });
    }
    const op = url.pathname.startsWith('/api/') ? url.pathname.slice(5) : '';
    if (!OPERATIONS.has(op)) return refuse(res, 404, 'NOT_FOUND', 'no such page or operation');
    if (req.method !== 'POST') return refuse(res, 405, 'BAD_USAGE', 'operations are POST requests');
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), token)) {
      return refuse(res, 401, 'UNAUTHORIZED', 'missing or wrong access token');
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse(res, 415, 'BAD_USAGE', 'send JSON (content-type: application/json)');
    }
    try {
      const input = await readJson(req);
      const client = options.client as unknown as Record<string, (input: unknown) => Promise<unknown>>;
      const result = await client[op]!.call(options.client, input);
      send(res, 200, { ok: true, result });
    } catch (error) {
      // The service's messages never hold a secret (a pasted key is not echoed back).
      const e = toCtdError(error);
      send(res, httpStatusOf(e.code), { ok: false, error: { code: e.code, message: e.message } });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'INTERNAL', 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The page's script: embedded in the `ctd` bundle at build time, or bundled now from the sources. */
async function loadPageScript(): Promise<string> {
  // A separate chunk: the embedded string is loaded only by `ctd serve`.
  const { EMBEDDED_PAGE_SCRIPT } = await import('../../../../packages/ui-lit/src/page-script.ts');
  if (EMBEDDED_PAGE_SCRIPT !== undefined) return EMBEDDED_PAGE_SCRIPT;
  // Run from the sources (tests, `node --conditions=@ctd/source`): bundle the page with esbuild.
  // The specifier is not a literal, so the `ctd` bundle never tries to include the bundler.
  const path = '../../../../packages/ui-lit/scripts/page-bundle.mjs';
  const { bundlePageSync } = (await import(new URL(path, import.meta.url).href)) as {
    bundlePageSync(): string;
  };
  return bundlePageSync();
}

/** Opens a URL in the user's browser when there is one to open it in; says whether it tried. */
function openInBrowser(url: string, env: CliIo['env']): boolean {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ['xdg-open', [url]]
          : [null, []];
  if (!cmd) return false;
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** Builds the page's client: the service's operations and this session's settings. */
function serveClient(service: TokenDiscoveryClient): ServeClient {
  let config: ServiceConfig;
  const parsed = parseServiceConfig({ autoImport: false });
  if (!parsed.ok) throw new CtdError('INTERNAL', 'the default configuration does not parse');
  config = parsed.value;
  const snapshot = (): SettingsSnapshot => ({
    config,
    strategies: ROTATION_STRATEGIES,
    sources: ALL_ADAPTERS.map((a) => ({ id: a.id, displayName: a.displayName, loginHint: a.loginHint })),
    descriptions: {},
  });
  return {
    scan: (input) => service.scan(input),
    status: (input) => service.status(input),
    getHistory: (input) => service.getHistory(input),
    clearHistory: (input) => service.clearHistory(input),
    refreshToken: (input) => service.refreshToken(input),
    importManual: (input) => service.importManual(input),
    async getConfig() {
      return snapshot();
    },
    async setConfig(input) {
      const given = (input as { config?: unknown } | null)?.config;
      const r = parseServiceConfig(given);
      if (!r.ok) throw new CtdError('BAD_USAGE', `invalid settings: ${r.issues.join('; ')}`);
      config = r.value;
      return snapshot();
    },
  };
}

/**
 * Runs `ctd serve` until `signal` aborts (or Ctrl-C): prints the address once, opens it when it
 * can. For the command and its tests.
 */
export async function runServe(
  io: CliIo,
  options: { open: boolean; file?: string | undefined },
  signal: AbortSignal,
): Promise<number> {
  const opened = await openService(io, 'serve', { history: 'write', file: options.file });
  let server: ServeServer | undefined;
  try {
    server = await startServeServer({
      client: serveClient(opened.service),
      pageScript: await loadPageScript(),
    });
    const tried = options.open && openInBrowser(server.url, io.env);
    io.stdout.write(
      `${tried ? 'Opened the dashboard in your browser' : 'Open the dashboard in a browser on this machine'}:\n  ${server.url}\n` +
        `The address carries the access token: keep it to yourself. Ctrl-C stops the server.\n`,
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      const off = onInterrupt(() => resolve());
      signal.addEventListener('abort', off, { once: true });
    });
    return 0;
  } finally {
    await server?.close();
    await opened.close();
  }
}

/** `ctd serve`: the dashboard on a loopback web page. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'the dashboard on a local web page (loopback, random port, access token)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      'no-open': { type: 'boolean' },
      file: { type: 'string' },
    });
    return runServe(io, { open: !values['no-open'], file: values.file }, new AbortController().signal);
  },
};
