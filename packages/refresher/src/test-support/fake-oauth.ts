// Test support (not exported): a real loopback token endpoint with single-use refresh tokens, as
// the rotating providers behave. A refresh token is good once; a second use answers 400
// `refresh_token_reused` and is counted as a reuse error.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted answer for the next refresh request(s), instead of a token. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly json?: unknown;
  /** Drop the connection without answering. */
  readonly reset?: boolean;
}

/** The fake token endpoint. */
export interface FakeOAuth {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Refresh requests received (every one, reused ones included). */
  readonly calls: number;
  /** Requests with a refresh token already spent. */
  readonly reuseErrors: number;
  /** The latest access and refresh tokens issued. */
  readonly latest: { access: string; refresh: string } | undefined;
  /** Headers of the last request (lower-case names). */
  readonly lastHeaders: Record<string, string>;
  /** Resolves once this many requests have arrived. */
  waitForCalls(count: number): Promise<void>;
  /** Makes `token` a refresh token the server will honour once. */
  grant(token: string): void;
  /** Answers the next requests with these, in order (then issues tokens again). */
  script(...answers: ScriptedAnswer[]): void;
  /** Answer delay (ms). */
  delayMs: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a fake rotating token endpoint on 127.0.0.1 (`POST /oauth/token`, JSON or form body with
 * `refresh_token`). Tokens are placeholders: `test-access-<n>`, `test-refresh-<n>`.
 *
 * @param prefix - a prefix for issued tokens (several servers side by side)
 * @param rotating - issue a new refresh token each time and retire the old one (else keep it, as Google does)
 */
export async function startFakeOAuth(prefix = 'test', rotating = true): Promise<FakeOAuth> {
  const valid = new Set<string>();
  const scripted: ScriptedAnswer[] = [];
  let calls = 0;
  let reuseErrors = 0;
  let issued = 0;
  let latest: { access: string; refresh: string } | undefined;
  let lastHeaders: Record<string, string> = {};
  const state = { delayMs: 0 };
  const arrivals: Array<{ count: number; resolve: () => void }> = [];
  const onRequest = () => {
    for (const a of arrivals.splice(0)) {
      if (calls >= a.count) a.resolve();
      else arrivals.push(a);
    }
  };
  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    if (req.method !== 'POST' || !req.url?.startsWith('/oauth/token')) {
      res.writeHead(404).end();
      return;
    }
    calls++;
    lastHeaders = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    onRequest();
    // The token is spent on receipt, as a provider does: an answer lost on the way back still rotated it.
    const wait = () =>
      state.delayMs > 0 ? new Promise((r) => setTimeout(r, state.delayMs)) : Promise.resolve();
    const next = scripted.shift();
    if (next) {
      await wait();
      if (next.reset) {
        req.socket.destroy();
        return;
      }
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(JSON.stringify(next.json ?? {}));
      return;
    }
    let token: string | undefined;
    try {
      token = /json/.test(req.headers['content-type'] ?? '')
        ? (JSON.parse(text) as { refresh_token?: string }).refresh_token
        : (new URLSearchParams(text).get('refresh_token') ?? undefined);
    } catch {
      token = undefined;
    }
    if (!token || !valid.has(token)) {
      reuseErrors++;
      await wait();
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'refresh_token_reused', error_description: 'already used' }));
      return;
    }
    issued++;
    if (rotating) {
      valid.delete(token);
      latest = { access: `${prefix}-access-${issued}`, refresh: `${prefix}-refresh-${issued}` };
      valid.add(latest.refresh);
    } else {
      latest = { access: `${prefix}-access-${issued}`, refresh: token };
    }
    const answer = latest;
    await wait();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        access_token: answer.access,
        ...(rotating ? { refresh_token: answer.refresh } : {}),
        expires_in: 3600,
        token_type: 'Bearer',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    get reuseErrors() {
      return reuseErrors;
    },
    get latest() {
      return latest;
    },
    get lastHeaders() {
      return lastHeaders;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    waitForCalls(count) {
      if (calls >= count) return Promise.resolve();
      return new Promise((resolve) => arrivals.push({ count, resolve }));
    },
    grant(token) {
      valid.add(token);
    },
    script(...answers) {
      scripted.push(...answers);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
