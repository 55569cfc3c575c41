// Sends one refresh request with the validators' HTTP client: a timeout, a response byte cap,
// TLS or loopback only (plain http elsewhere only with CTD_ALLOW_INSECURE_BASE_URL=1), no
// redirects (a redirect could carry the refresh token elsewhere), the environment's proxy.
import type { OAuthRefreshRequest } from '@ctd/scanners';
import { HostLimiter, httpRequest, ProxyDispatchers } from '@ctd/scanners/validate';

/** What came back from a token endpoint. */
export type RefreshHttpResult =
  | { readonly kind: 'answer'; readonly status: number; readonly json: unknown; readonly endpoint: string }
  | { readonly kind: 'failure'; readonly reason: string; readonly endpoint: string };

/** Settings of {@link sendRefreshRequest}. */
export interface SendOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly userAgent: string;
  readonly signal?: AbortSignal | undefined;
}

function encodeBody(body: OAuthRefreshRequest['body']): { contentType: string; text: string } {
  if (body.type === 'json') return { contentType: 'application/json', text: JSON.stringify(body.value) };
  return {
    contentType: 'application/x-www-form-urlencoded',
    text: new URLSearchParams(Object.entries(body.value)).toString(),
  };
}

function withoutContentType(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
}

/**
 * Posts a refresh request. Never throws: a network failure, a refused transport or an oversized
 * answer is a `failure` (transient). The answer's JSON is returned as is (it holds the new tokens);
 * the caller's parser keeps only what it needs.
 *
 * @param request - the request built by the CLI's refresh spec
 * @param options - environment, timeout, byte cap, user agent, cancellation
 */
export async function sendRefreshRequest(
  request: OAuthRefreshRequest,
  options: SendOptions,
): Promise<RefreshHttpResult> {
  const { contentType, text } = encodeBody(request.body);
  // One request each: a fresh limiter, and proxy agents closed afterwards so no socket keeps the
  // process alive.
  const dispatchers = new ProxyDispatchers();
  try {
    const out = await httpRequest(
      {
        url: request.url,
        method: 'POST',
        headers: { ...withoutContentType(request.headers), 'content-type': contentType },
        body: text,
      },
      {
        env: options.env,
        timeoutMs: options.timeoutMs,
        limiter: new HostLimiter(1),
        dispatchers,
        userAgent: options.userAgent,
        signal: options.signal,
        maxBodyBytes: options.maxBodyBytes,
      },
    );
    if (out.kind === 'failure') return { kind: 'failure', reason: out.reason, endpoint: out.endpoint };
    return {
      kind: 'answer',
      status: out.status,
      json: out.body === 'json' ? out.json : null,
      endpoint: out.endpoint,
    };
  } finally {
    await dispatchers.close();
  }
}
