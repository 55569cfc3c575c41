/**
 * What happened to a request made with a leased credential. Report only what says something about
 * the credential: a malformed request is `client_error` (counted as neither success nor failure).
 */
export type Outcome =
  | { readonly type: 'success'; readonly latencyMs?: number | undefined }
  | {
      /** HTTP 429 or the provider's rate-limit error. */
      readonly type: 'rate_limited';
      /** `Retry-After`, in ms (see {@link parseRetryAfter}). */
      readonly retryAfterMs?: number | undefined;
      /** The provider's reset time (epoch ms), e.g. from `x-ratelimit-reset-*` headers. */
      readonly resetAt?: number | undefined;
      /** `model` (default when the lease names a model): only that model cools down. */
      readonly scope?: 'model' | 'credential' | undefined;
      readonly latencyMs?: number | undefined;
    }
  | {
      /** The plan's or balance's quota is used up (e.g. `insufficient_quota`, a weekly limit). */
      readonly type: 'quota_exhausted';
      readonly retryAfterMs?: number | undefined;
      readonly resetAt?: number | undefined;
      /** `credential` (default): quotas usually cover the whole account. */
      readonly scope?: 'model' | 'credential' | undefined;
    }
  | {
      /** HTTP 401/403: the credential was rejected. */
      readonly type: 'auth_failed';
      readonly httpStatus?: number | undefined;
      /** The provider's error code or message (never a secret). */
      readonly reason?: string | undefined;
    }
  | { readonly type: 'server_error'; readonly httpStatus?: number | undefined }
  | { readonly type: 'network_error'; readonly reason?: string | undefined }
  | { readonly type: 'client_error'; readonly httpStatus?: number | undefined }
  /** The request was abandoned before an answer: ends a probe, counts nothing. */
  | { readonly type: 'cancelled' };

/** Headers as a plain record or a `Headers` object. */
export type HeaderSource = Headers | Readonly<Record<string, string | string[] | undefined>>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | string[] | undefined>>;
  const direct = record[name] ?? record[Object.keys(record).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(direct) ? direct[0] : direct;
}

/**
 * Parses a `Retry-After` value: delay-seconds or an HTTP date.
 *
 * @param value - the header value
 * @param now - the current time (epoch ms), for HTTP dates
 * @returns the delay in ms (never negative), or undefined when it cannot be read
 */
export function parseRetryAfter(value: string | undefined | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * Parses a duration like OpenAI's `x-ratelimit-reset-requests` (`1s`, `6m0s`, `20ms`, `1h2m3.5s`).
 *
 * @param value - the header value
 * @returns milliseconds, or undefined
 */
export function parseDuration(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    consumed += m[0].length;
  }
  return consumed === v.length && consumed > 0 ? Math.round(total) : undefined;
}

// An absolute reset time: an ISO date, or epoch seconds (or ms) when the number is large.
function parseResetTime(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (n > 1e12) return Math.round(n);
    if (n > 1e9) return Math.round(n * 1000);
    return now + Math.round(n * 1000); // a small number is a delay in seconds
  }
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Reads the provider's hint of when a rate limit ends: `Retry-After` / `retry-after-ms` first (as a
 * delay), else the latest of the reset headers providers send (`x-ratelimit-reset-requests`,
 * `x-ratelimit-reset-tokens`, `x-ratelimit-reset`, `anthropic-ratelimit-*-reset`).
 *
 * @param headers - response headers
 * @param now - the current time (epoch ms)
 * @returns `{ retryAfterMs }` or `{ resetAt }`, or an empty object when there is no hint
 */
export function rateLimitHint(
  headers: HeaderSource,
  now: number,
): { retryAfterMs?: number; resetAt?: number } {
  const ms = header(headers, 'retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return { retryAfterMs: Math.round(Number(ms)) };
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
  if (retryAfter !== undefined) return { retryAfterMs: retryAfter };
  let resetAt: number | undefined;
  const later = (t: number | undefined) => {
    if (t !== undefined && (resetAt === undefined || t > resetAt)) resetAt = t;
  };
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const d = parseDuration(header(headers, name));
    later(d === undefined ? undefined : now + d);
  }
  for (const name of [
    'x-ratelimit-reset',
    'anthropic-ratelimit-requests-reset',
    'anthropic-ratelimit-tokens-reset',
    'anthropic-ratelimit-unified-reset',
  ]) {
    later(parseResetTime(header(headers, name), now));
  }
  return resetAt === undefined ? {} : { resetAt };
}

/**
 * Classifies an HTTP answer into an {@link Outcome}: 2xx success; 429 rate limited (or quota
 * exhausted when the provider's code says so) with the reset hint; 401/403 auth failure; 408, 5xx
 * and 529 server error; other 4xx client error.
 *
 * @param status - HTTP status
 * @param headers - response headers (for the rate-limit hint)
 * @param options - the provider's error code, latency, and the current time
 * @example
 * rotator.report(lease, classifyResponse(res.status, res.headers, { latencyMs }));
 */
export function classifyResponse(
  status: number,
  headers: HeaderSource = {},
  options: {
    providerCode?: string | undefined;
    latencyMs?: number | undefined;
    now?: number | undefined;
  } = {},
): Outcome {
  const now = options.now ?? Date.now();
  if (status >= 200 && status < 300) return { type: 'success', latencyMs: options.latencyMs };
  if (status === 429) {
    const hint = rateLimitHint(headers, now);
    const quota = /insufficient_quota|quota|billing|usage_limit|limit_reached/i.test(
      options.providerCode ?? '',
    );
    return quota
      ? { type: 'quota_exhausted', ...hint }
      : { type: 'rate_limited', ...hint, latencyMs: options.latencyMs };
  }
  if (status === 401 || status === 403)
    return { type: 'auth_failed', httpStatus: status, reason: options.providerCode };
  if (status === 408 || status >= 500) return { type: 'server_error', httpStatus: status };
  return { type: 'client_error', httpStatus: status };
}
