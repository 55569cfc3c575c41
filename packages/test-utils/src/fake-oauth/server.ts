// A fake OAuth token endpoint on loopback: it issues refresh tokens, spends them the way the
// provider does (rotating ones are single-use), answers a spent or unknown one with the
// provider's own error, counts every refresh call per token, and can be scripted (delays, held
// answers, 429/5xx, permanent errors). The provider families are in providers.ts.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { counterWaits, headersOf, sendReply, startLoopbackServer } from '../loopback-server.ts';

/** A scripted answer, sent as JSON (or a raw body when `body` is set). */
export interface FakeOAuthReply {
  readonly status: number;
  readonly json?: unknown;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/**
 * What the next refresh call gets instead of the normal answer: `rate_limited` (429 with
 * `Retry-After`), `server_error` (503), `malformed` (200 with broken JSON), `hang` (never
 * answers), `reset` (connection reset), `revoked` (the token is killed and answered with the
 * provider's dead-token error), or a reply of your own. The refresh token is not spent by any of them.
 */
export type FakeOAuthFailure =
  | 'rate_limited'
  | 'server_error'
  | 'malformed'
  | 'hang'
  | 'reset'
  | 'revoked'
  | FakeOAuthReply;

/** A refresh call the fake received. Tests use placeholder tokens, so they are kept as sent. */
export interface FakeOAuthRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  /** The body's fields (a JSON object or a form), or undefined when it was neither. */
  readonly body: Record<string, unknown> | undefined;
  /** `json`, `form` or `other`. */
  readonly bodyType: 'json' | 'form' | 'other';
  /** The refresh token presented, if any. */
  readonly refreshToken: string | undefined;
  /** What the fake made of it. */
  outcome: 'issued' | 'reused' | 'unknown' | 'bad_request' | 'scripted';
}

/** New tokens handed out by a refresh. */
export interface FakeOAuthGrant {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly idToken?: string;
  readonly expiresIn: number;
}

/** How one provider family's token endpoint behaves. */
export interface FakeOAuthFamily {
  /** For messages and token prefixes. */
  readonly name: string;
  /** The token path (`/oauth/token`). */
  readonly path: string;
  /** The body type the provider expects. */
  readonly bodyType: 'json' | 'form';
  /** Every refresh returns a new refresh token and kills the old one. */
  readonly rotating: boolean;
  /** Checks the request beyond the refresh token (client id, headers); a reply refuses it. */
  check(req: FakeOAuthRequest): FakeOAuthReply | undefined;
  /** The answer for a refresh token spent before (rotating families). */
  reused(token: string): FakeOAuthReply;
  /** The answer for a refresh token the fake never issued, or revoked. */
  unknown(token: string): FakeOAuthReply;
  /** The answer for a fresh grant. */
  success(grant: FakeOAuthGrant, req: FakeOAuthRequest): FakeOAuthReply;
  /** Mints an access token (`n` counts grants; `expiresIn` in seconds). */
  accessToken(n: number, expiresIn: number): string;
  /** Mints an id token to send along, when the family has one. */
  idToken?(n: number, expiresIn: number): string;
}

/** Options of a fake OAuth server. */
export interface FakeOAuthOptions {
  /** Refresh tokens that are live from the start. */
  readonly refreshTokens?: readonly string[];
  /** Lifetime of issued access tokens in seconds. @default 3600 */
  readonly expiresIn?: number;
  /** Answer delay in ms. @default 0 */
  readonly delayMs?: number;
}

/** A fake OAuth token endpoint. Close it in the test that started it. */
export interface FakeOAuthServer {
  /** `http://127.0.0.1:<port>`: the base to set in the `CTD_*_OAUTH_URL` override. */
  readonly origin: string;
  /** The full token URL. */
  readonly tokenUrl: string;
  /** Every call, in order. */
  readonly requests: FakeOAuthRequest[];
  /** Counts: refresh calls, grants, reuse errors (a spent token presented again), unknown tokens. */
  readonly stats: { calls: number; grants: number; reuses: number; unknown: number };
  /** Answer delay in ms; may be changed between calls. */
  delayMs: number;
  /** Lifetime of the access tokens issued from now on, in seconds. */
  expiresIn: number;
  /** Makes a refresh token live (e.g. one a fixture wrote into a store); returns it. */
  issue(token?: string): string;
  /** Kills a refresh token: it is answered as unknown from now on. */
  revoke(token: string): void;
  /** Whether a refresh token would be accepted now. */
  isLive(token: string): boolean;
  /** The refresh token that replaced `token` (rotating families), if it was spent. */
  successorOf(token: string): string | undefined;
  /** How many refresh calls presented `token`. */
  callsFor(token: string): number;
  /** The grants issued, in order. */
  readonly grants: FakeOAuthGrant[];
  /** Answers the next calls with these failures, one each, before normal answers resume. */
  failNext(...failures: FakeOAuthFailure[]): void;
  /** Holds every answer until {@link FakeOAuthServer.release} (for concurrency tests, without timers). */
  hold(): void;
  /** Releases held answers and stops holding. */
  release(): void;
  /** Resolves once `count` calls have arrived. */
  waitForCalls(count: number): Promise<void>;
  /** Closes the server, destroying open sockets. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(
  type: string,
  text: string,
): { body: Record<string, unknown> | undefined; bodyType: 'json' | 'form' | 'other' } {
  if (type.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(text);
      if (v && typeof v === 'object' && !Array.isArray(v))
        return { body: v as Record<string, unknown>, bodyType: 'json' };
    } catch {
      // Falls through: not JSON after all.
    }
    return { body: undefined, bodyType: 'other' };
  }
  if (type.includes('application/x-www-form-urlencoded'))
    return { body: Object.fromEntries(new URLSearchParams(text)), bodyType: 'form' };
  return { body: undefined, bodyType: 'other' };
}

/**
 * Starts a fake token endpoint for one provider family (see the `startFake*OAuth` helpers).
 *
 * @param family - how the provider's endpoint behaves
 * @param options - live refresh tokens, access-token lifetime, delay
 */
export async function startFakeOAuthServer(
  family: FakeOAuthFamily,
  options: FakeOAuthOptions = {},
): Promise<FakeOAuthServer> {
  const live = new Set<string>(options.refreshTokens ?? []);
  const spent = new Map<string, string>();
  const calls = new Map<string, number>();
  const requests: FakeOAuthRequest[] = [];
  const grants: FakeOAuthGrant[] = [];
  const stats = { calls: 0, grants: 0, reuses: 0, unknown: 0 };
  const failures: FakeOAuthFailure[] = [];
  const callWaits = counterWaits(() => stats.calls);

  const mintRefresh = () => `test-PLACEHOLDER-${family.name}-refresh-${randomBytes(6).toString('hex')}`;

  /** Decides the answer. Runs when the call arrives, so the order of calls is the order of spending. */
  function decide(req: FakeOAuthRequest): FakeOAuthReply | 'hang' | 'reset' {
    const refusal = family.check(req);
    if (refusal) {
      req.outcome = 'bad_request';
      return refusal;
    }
    const token = req.refreshToken;
    if (token === undefined) {
      req.outcome = 'bad_request';
      return {
        status: 400,
        json: { error: 'invalid_request', error_description: 'refresh_token is missing' },
      };
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      req.outcome = 'scripted';
      switch (failure) {
        case 'rate_limited':
          return {
            status: 429,
            headers: { 'retry-after': '1' },
            json: { error: 'rate_limit_exceeded', error_description: 'Too many requests' },
          };
        case 'server_error':
          return { status: 503, json: { error: 'server_error', error_description: 'Service unavailable' } };
        case 'malformed':
          return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"access_token": ' };
        case 'hang':
        case 'reset':
          return failure;
        case 'revoked':
          live.delete(token);
          return family.unknown(token);
        default:
          return failure;
      }
    }
    if (spent.has(token)) {
      req.outcome = 'reused';
      stats.reuses++;
      return family.reused(token);
    }
    if (!live.has(token)) {
      req.outcome = 'unknown';
      stats.unknown++;
      return family.unknown(token);
    }
    const n = grants.length + 1;
    const expiresIn = fake.expiresIn;
    let refreshToken = token;
    if (family.rotating) {
      refreshToken = mintRefresh();
      live.delete(token);
      spent.set(token, refreshToken);
      live.add(refreshToken);
    }
    const idToken = family.idToken?.(n, expiresIn);
    const grant: FakeOAuthGrant = {
      accessToken: family.accessToken(n, expiresIn),
      refreshToken,
      ...(idToken ? { idToken } : {}),
      expiresIn,
    };
    grants.push(grant);
    stats.grants++;
    req.outcome = 'issued';
    return family.success(grant, req);
  }

  const loopback = await startLoopbackServer((req, res) => {
    void readBody(req).then((text) => {
      const headers = headersOf(req);
      const { body, bodyType } = parseBody(headers['content-type'] ?? '', text);
      const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname;
      const rt = body?.refresh_token;
      const recorded: FakeOAuthRequest = {
        method: req.method ?? 'GET',
        path,
        headers,
        body,
        bodyType,
        refreshToken: typeof rt === 'string' ? rt : undefined,
        outcome: 'bad_request',
      };
      if (req.method !== 'POST' || path !== family.path) {
        sendReply(res, { status: 404, json: { error: 'not_found' } }, 'body');
        return;
      }
      requests.push(recorded);
      stats.calls++;
      if (recorded.refreshToken !== undefined)
        calls.set(recorded.refreshToken, (calls.get(recorded.refreshToken) ?? 0) + 1);
      callWaits.check();
      const action = decide(recorded);
      loopback.answerLater(
        () => {
          if (action === 'hang') return;
          if (action === 'reset') {
            req.socket.resetAndDestroy();
            return;
          }
          sendReply(res, action, 'body');
        },
        () => fake.delayMs,
      );
    });
  });
  const origin = loopback.origin;

  const fake: FakeOAuthServer = {
    origin,
    tokenUrl: `${origin}${family.path}`,
    requests,
    stats,
    grants,
    delayMs: options.delayMs ?? 0,
    expiresIn: options.expiresIn ?? 3600,
    issue(token = mintRefresh()) {
      live.add(token);
      spent.delete(token);
      return token;
    },
    revoke(token) {
      live.delete(token);
      spent.delete(token);
    },
    isLive: (token) => live.has(token),
    successorOf: (token) => spent.get(token),
    callsFor: (token) => calls.get(token) ?? 0,
    failNext(...more) {
      failures.push(...more);
    },
    hold: loopback.hold,
    release: loopback.release,
    waitForCalls: callWaits.waitFor,
    close: loopback.close,
  };
  return fake;
}
