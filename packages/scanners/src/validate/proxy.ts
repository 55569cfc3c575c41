import type { Dispatcher } from 'undici';
import { isLoopbackHost } from './transport.ts';

type Env = Readonly<Record<string, string | undefined>>;

function first(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * Whether `NO_PROXY` excludes a URL. Entries are separated by commas or spaces; `*` matches every
 * host; `example.com`, `.example.com` and `*.example.com` match the domain and its subdomains; an
 * entry with `:port` matches that port only. IP addresses match exactly (no CIDR ranges).
 *
 * @param url - the request URL
 * @param noProxy - the `NO_PROXY` value
 */
export function noProxyMatches(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || defaultPort(url.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let name = entry;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      name = bracketed[1] ?? '';
      entryPort = bracketed[2];
    } else if (/^[^:]+:\d+$/.test(entry)) {
      const i = entry.lastIndexOf(':');
      name = entry.slice(0, i);
      entryPort = entry.slice(i + 1);
    }
    if (entryPort && entryPort !== port) continue;
    name = name.replace(/^\*?\./, '');
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * The proxy to use for a URL, from the caller's environment: `https_proxy` / `HTTPS_PROXY` for
 * https URLs (falling back to the http proxy, as curl and undici do), `http_proxy` / `HTTP_PROXY`
 * for http URLs, unless `NO_PROXY` / `no_proxy` excludes the host. A plain-http URL on loopback
 * goes through a proxy only when the proxy is on loopback too: a proxy elsewhere would read the
 * credential in plain text, and could not reach this machine's loopback anyway.
 *
 * @param url - the request URL (parsed or not)
 * @param env - the environment given by the caller
 * @returns the proxy URL, or undefined to connect directly
 */
export function proxyFor(url: string | URL, env: Env): string | undefined {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined;
  }
  const httpProxy = first(env, 'http_proxy', 'HTTP_PROXY');
  const proxy =
    parsed.protocol === 'https:' ? (first(env, 'https_proxy', 'HTTPS_PROXY') ?? httpProxy) : httpProxy;
  if (!proxy) return undefined;
  if (noProxyMatches(parsed, first(env, 'no_proxy', 'NO_PROXY'))) return undefined;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname) && !onLoopback(proxy)) return undefined;
  return proxy;
}

function onLoopback(proxy: string): boolean {
  try {
    return isLoopbackHost(new URL(proxy).hostname);
  } catch {
    return false;
  }
}

type Undici = typeof import('undici');

let undici: Promise<Undici> | undefined;

/**
 * The `undici` module, loaded on first use: an offline scan never loads the network code. A
 * bundler may hand CommonJS undici over as `default` only (the ctd CLI bundle does).
 */
export function loadUndici(): Promise<Undici> {
  undici ??= import('undici').then((mod) => {
    const commonJs = (mod as unknown as { default?: Undici }).default;
    return mod.Agent ? mod : (commonJs as Undici);
  });
  return undici;
}

/** The direct dispatchers, one per connection cap, shared by every batch of the process. */
const directAgents = new Map<number | undefined, Promise<Dispatcher>>();

/**
 * The process's direct dispatcher for a connection cap, created on first use and never closed:
 * its idle connections stay open for the next batch (a long-running host checks again and again,
 * and a TLS handshake per check would cost more than the check), and undici unrefs them, so they
 * never keep a process alive; the server or undici's keep-alive timeout closes them.
 */
function directAgent(connections: number | undefined): Promise<Dispatcher> {
  let agent = directAgents.get(connections);
  if (!agent) {
    agent = loadUndici().then(({ Agent }) => new Agent(connections === undefined ? {} : { connections }));
    directAgents.set(connections, agent);
  }
  return agent;
}

/** Options of {@link ProxyDispatchers}. */
export interface DispatcherOptions {
  /**
   * Connections kept open at most per host (origin) for direct requests: set it to the per-host
   * request cap, so a request over the cap reuses a kept-alive connection instead of opening one
   * more. @default no limit
   */
  readonly connectionsPerHost?: number | undefined;
}

/**
 * The `undici` dispatchers of one batch of requests: one ProxyAgent per proxy URL, created on
 * first use and kept until {@link close}, and the process's direct dispatcher for the batch's
 * connection cap (shared with other batches, not closed), so the requests to one host share their
 * kept-alive connections. The process-wide `fetch` dispatcher is left alone.
 */
export class ProxyDispatchers {
  readonly #agents = new Map<string, Promise<Dispatcher>>();
  readonly #connections: number | undefined;

  /** @param options - connections kept per host */
  constructor(options: DispatcherOptions = {}) {
    const n = options.connectionsPerHost;
    this.#connections = n !== undefined && Number.isFinite(n) ? Math.max(1, Math.floor(n)) : undefined;
  }

  /** The dispatcher for a proxy URL, or for direct connections when `proxy` is undefined. */
  get(proxy?: string): Promise<Dispatcher> {
    if (proxy === undefined) return directAgent(this.#connections);
    let agent = this.#agents.get(proxy);
    if (!agent) {
      agent = loadUndici().then(({ ProxyAgent }) => new ProxyAgent({ uri: proxy }));
      this.#agents.set(proxy, agent);
    }
    return agent;
  }

  /** Closes every proxy agent (their connections would otherwise keep the process alive). */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.allSettled(agents.map(async (a) => (await a).close()));
  }
}

/**
 * The proxy's host for messages: never its credentials.
 *
 * @param proxy - a proxy URL
 */
export function proxyHost(proxy: string): string {
  try {
    return new URL(proxy).host;
  } catch {
    return 'the configured proxy';
  }
}
