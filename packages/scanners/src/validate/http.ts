import type { Dispatcher } from 'undici';
import type { HostLimiter } from './limiter.ts';
import { type ProxyDispatchers, proxyFor, proxyHost } from './proxy.ts';
import { transportFor } from './transport.ts';
import type { HttpAnswer, HttpOutcome, HttpRequest } from './types.ts';

/** What the HTTP client needs from the engine. */
export interface HttpClientOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  readonly limiter: HostLimiter;
  readonly dispatchers: ProxyDispatchers;
  readonly userAgent: string;
  readonly signal?: AbortSignal | undefined;
  /**
   * Removes secrets from the provider's text. Applied to every string of a JSON answer as it
   * arrives, before any validator reads, normalises or clips it. @default no change
   */
  readonly redact?: ((text: string) => string) | undefined;
  /** Called for each request sent over plain http to a host that is not loopback (allowed by the caller). */
  readonly onInsecure?: ((endpoint: string, host: string) => void) | undefined;
  /** The largest body read, in bytes; a longer one is cut off. @default 4 MiB */
  readonly maxBodyBytes?: number | undefined;
}

/** Bodies larger than this are not evidence of anything we check (model lists are well below). */
export const MAX_BODY_BYTES: number = 4 * 1024 * 1024;

/** A URL without its query string or fragment: the query may carry a token (Google tokeninfo). */
export function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) codes.push(...errors.flatMap(errorCodes));
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/**
 * Says why a request got no answer, from error codes only: an error's message may quote the URL,
 * and a URL may carry a token.
 */
function failureReason(error: unknown, timedOut: boolean, cancelled: boolean, timeoutMs: number): string {
  if (cancelled) return 'the check was cancelled';
  if (timedOut) return `no answer within ${timeoutMs} ms (timeout)`;
  const codes = errorCodes(error);
  const has = (...want: string[]) => codes.some((c) => want.includes(c));
  if (has('ECONNRESET')) return 'the connection was reset';
  if (has('ECONNREFUSED')) return 'the connection was refused';
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME')) return 'the host name did not resolve (DNS)';
  if (has('ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT')) return 'the connection timed out';
  if (has('EHOSTUNREACH', 'ENETUNREACH')) return 'the host is unreachable';
  const tls = codes.find((c) => TLS_CODE.test(c));
  if (tls) return `TLS error (${tls})`;
  if (has('UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EPIPE'))
    return 'the connection closed before the answer was complete';
  if (has('UND_ERR_ABORTED')) return 'the request was aborted';
  const code = codes[0];
  return code ? `network error (${code})` : 'network error';
}

/**
 * Every string value in a parsed JSON value passed through `clean` (keys are the provider's
 * schema). In place: the value is fresh from `JSON.parse` and nothing else holds it, and a copy of
 * every answer is garbage a thousand checks at once feel.
 */
function scrubJson(value: unknown, clean: (text: string) => string): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = scrubJson(value[i], clean);
  } else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const before = object[key];
      const after = scrubJson(before, clean);
      // Defined, not assigned: a `__proto__` key from JSON is an own property, and assigning to
      // it would set the object's prototype instead.
      if (after !== before)
        Object.defineProperty(object, key, {
          value: after,
          writable: true,
          enumerable: true,
          configurable: true,
        });
    }
  }
  return value;
}

function classifyBody(
  text: string,
  contentType: string,
  clean: ((text: string) => string) | undefined,
): Pick<HttpAnswer, 'body' | 'json'> {
  const trimmed = text.trim();
  if (trimmed === '') return { body: 'empty', json: undefined };
  if (/html/i.test(contentType) || /^<(!doctype|html|head|body|\?xml)/i.test(trimmed)) {
    return { body: 'html', json: undefined };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    const looksJson = /json/i.test(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[');
    return { body: looksJson ? 'malformed' : 'text', json: undefined };
  }
  // Redacted here, on the raw strings: a provider may quote the key, whole or cut, anywhere.
  return { body: 'json', json: clean ? scrubJson(json, clean) : json };
}

/** What came back for one request: status, headers and the body, unless it passed the cap. */
interface Exchange {
  readonly status: number;
  readonly headers: IncomingHeaders;
  /** Undefined when the body was longer than the cap (it was not read to the end). */
  readonly text: string | undefined;
}

type IncomingHeaders = Record<string, string | string[] | undefined>;

/** Why a request was stopped by this side: the caller's cancel or the timeout. */
class Stopped extends Error {
  readonly why: 'timeout' | 'cancelled';
  constructor(why: 'timeout' | 'cancelled') {
    super(why === 'timeout' ? 'no answer in time' : 'cancelled');
    this.name = 'Stopped';
    this.why = why;
  }
}

/**
 * Sends one request on a dispatcher and reads its answer, with undici's handler callbacks rather
 * than a body stream (no stream, promise or signal listener per request: CPU a thousand checks at
 * once feel). The body is read as it arrives, up to `maxBytes`: a body that never ends, or a huge
 * one, stops at the cap instead of filling memory, and the connection is closed. The timeout
 * covers everything from the wait for a connection to the body's last byte.
 */
function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  maxBytes: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Stopped('cancelled'));
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let stopped: Error | undefined;
    let settled = false;
    let status = 0;
    let headers: IncomingHeaders = {};
    let chunks: Buffer[] = [];
    let total = 0;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      done();
    };
    // Stops the request, now or as soon as undici starts it (it may still wait for a connection).
    const stop = (reason: Error) => {
      stopped ??= reason;
      if (controller && !controller.aborted) controller.abort(reason);
    };
    const fail = (reason: Stopped) => {
      stop(reason);
      settle(() => reject(reason));
    };
    const onAbort = () => fail(new Stopped('cancelled'));
    const timer = setTimeout(() => fail(new Stopped('timeout')), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    dispatcher.dispatch(options, {
      onRequestStart(c) {
        controller = c;
        if (stopped) c.abort(stopped);
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        // Again after a 1xx: the last one is the answer.
        status = statusCode;
        headers = responseHeaders as IncomingHeaders;
        chunks = [];
        total = 0;
      },
      onResponseData(c, chunk) {
        if (settled) return;
        total += chunk.byteLength;
        if (total > maxBytes) {
          // Settled first: aborting calls onResponseError at once. Aborting closes the
          // connection: the rest is never downloaded.
          settle(() => resolve({ status, headers, text: undefined }));
          c.abort(new Error('answer larger than the cap'));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle(() => resolve({ status, headers, text: Buffer.concat(chunks, total).toString('utf8') }));
      },
      onResponseError(_c, error) {
        settle(() => reject(error));
      },
    });
  });
}

/** An answer's headers as a `Headers` (what validators read), repeated ones appended. */
function toHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/**
 * Makes one request under the per-host cap and the timeout, never following redirects (a
 * redirect could carry a key header to another host), through the proxy the environment names.
 * Refuses plain http to a host that is not loopback unless `CTD_ALLOW_INSECURE_BASE_URL=1` (then
 * `onInsecure` hears of each such request). Reads at most `maxBodyBytes` of the answer, and
 * redacts every string of a JSON answer with `redact` before anything else sees it.
 * Never throws: a network failure becomes a `failure` outcome.
 *
 * @param req - the request
 * @param opts - the engine's settings
 */
export async function httpRequest(req: HttpRequest, opts: HttpClientOptions): Promise<HttpOutcome> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { kind: 'failure', endpoint: endpointOf(req.url), reason: 'the endpoint URL is not valid' };
  }
  // Parsed once for everything below (a thousand checks at once parsed each URL three times).
  const endpoint = `${url.origin}${url.pathname}`;
  // Every request carries a credential: TLS, or this machine, or the caller's explicit leave.
  const transport = transportFor(url, opts.env);
  if (transport.kind === 'refused') return { kind: 'failure', endpoint, reason: transport.reason };
  return opts.limiter.run(url.host, async () => {
    if (opts.signal?.aborted) return { kind: 'failure', endpoint, reason: 'the check was cancelled' };
    const proxy = proxyFor(url, opts.env);
    try {
      if (transport.kind === 'insecure') opts.onInsecure?.(endpoint, transport.host);
      // undici's dispatcher API on the batch's dispatcher, not fetch: a check needs no WHATWG
      // streams or Request objects (fetch spent about three times the CPU per request, which a
      // thousand checks at once feel), and the dispatcher keeps at most the per-host cap of
      // connections to each host, reused from one request to the next. Redirects are not
      // followed (a redirect could carry a key header to another host).
      const dispatcher = await opts.dispatchers.get(proxy);
      const res = await exchange(
        dispatcher,
        {
          origin: `${url.protocol}//${url.host}`,
          path: `${url.pathname}${url.search}`,
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: { accept: 'application/json', 'user-agent': opts.userAgent, ...req.headers },
          body: req.body ?? null,
        },
        opts.maxBodyBytes ?? MAX_BODY_BYTES,
        opts.timeoutMs,
        opts.signal,
      );
      const text = res.text;
      if (text === undefined) {
        return {
          kind: 'failure',
          endpoint,
          reason: 'the answer was larger than any provider answer we expect (not read to the end)',
        };
      }
      const raw = res.headers;
      const contentType = raw['content-type'];
      let headers: Headers | undefined;
      return {
        kind: 'answer',
        endpoint,
        status: res.status,
        // Built when a validator reads it (a rate limit's Retry-After): most answers need none.
        get headers() {
          headers ??= toHeaders(raw);
          return headers;
        },
        ...classifyBody(text, (Array.isArray(contentType) ? contentType[0] : contentType) ?? '', opts.redact),
      };
    } catch (error) {
      const why = error instanceof Stopped ? error.why : undefined;
      const reason = failureReason(error, why === 'timeout', why === 'cancelled', opts.timeoutMs);
      return {
        kind: 'failure',
        endpoint,
        reason: proxy ? `${reason} (via proxy ${proxyHost(proxy)})` : reason,
      };
    }
  });
}
