import {
  type FakeAction,
  type FakeReply,
  type FakeServer,
  type RecordedRequest,
  startFakeServer,
} from './server.ts';

/**
 * How a fake provider treats a token. The common ones every fake knows: `valid`, `revoked`,
 * `expired`, `rate_limited` (with `Retry-After`), `quota_exhausted`, `no_access`, `html` (a
 * captive-portal page with 200), `hang` (never answers), `malformed` (200 with broken JSON),
 * `reset` (connection reset), `endless` (200 with a JSON body that never ends), `server_error`. The others are provider-specific; each fake's doc
 * lists the ones it knows.
 */
export type FakeBehavior =
  | 'valid'
  | 'revoked'
  | 'expired'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'no_access'
  | 'html'
  | 'hang'
  | 'malformed'
  | 'reset'
  | 'endless'
  | 'server_error'
  | 'weekly_only'
  | 'usage_limit_reached'
  | 'usage_not_included'
  | 'cloudflare'
  | 'region_unavailable'
  | 'unauthenticated'
  | 'arrearage'
  | 'agents_only'
  | 'usage_empty'
  | 'zero_balance'
  | 'balance_403'
  | 'overloaded'
  | 'scope_missing'
  | 'negative_balance';

/** Options of every fake provider. */
export interface FakeProviderOptions {
  /** Token → behavior. A token not listed (or none) gets the provider's "invalid key" answer. */
  keys?: Record<string, FakeBehavior>;
  /** Answer delay in ms (the bench uses 200). @default 0 */
  delayMs?: number;
}

/** A fake provider: a {@link FakeServer} that answers like one provider, scripted per token. */
export interface FakeProvider extends FakeServer {
  /** The base URL to set in the provider's `CTD_*_BASE_URL` override. */
  readonly baseUrl: string;
  /** Sets (or changes) a token's behavior. */
  script(token: string, behavior: FakeBehavior): void;
  /** The tokens presented, in request order. */
  tokens(): string[];
}

/** How a route answers a behavior; undefined means the route does not know it. */
export type RouteHandler = (behavior: FakeBehavior, req: RecordedRequest) => FakeAction | undefined;

/** What makes one provider. */
export interface ProviderSpec {
  readonly name: string;
  /** Path prefix of the base URL, e.g. `/v1`. */
  readonly basePath: string;
  /** Reads the token from a request. */
  token(req: RecordedRequest): string | undefined;
  /** Routes below the base path, e.g. `/models`. */
  readonly routes: Readonly<Record<string, RouteHandler>>;
}

const CAPTIVE_PORTAL = `<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body><form action="/login">Please sign in to continue.</form></body></html>`;

/** The `Authorization: Bearer` token of a request. */
export function bearerToken(req: RecordedRequest): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** A JSON reply. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeReply {
  return { status, json: body, headers };
}

/** A masked form of a token, as providers quote keys in errors. */
export function masked(token: string | undefined): string {
  return token ? `${token.slice(0, 3)}***${token.slice(-4)}` : '';
}

/**
 * Starts a fake provider from its spec.
 *
 * @param spec - paths, token reader and answers
 * @param options - the script and the delay
 */
export async function startFakeProvider(
  spec: ProviderSpec,
  options: FakeProviderOptions = {},
): Promise<FakeProvider> {
  const script = new Map<string, FakeBehavior>(Object.entries(options.keys ?? {}));
  const seen: string[] = [];
  const server = await startFakeServer(
    (req) => {
      if (!req.path.startsWith(spec.basePath))
        return json(404, { error: { message: `no route ${req.path}` } });
      const route = spec.routes[req.path.slice(spec.basePath.length)];
      if (!route) return json(404, { error: { message: `no route ${req.path}` } });
      const token = spec.token(req);
      if (token) seen.push(token);
      const behavior = (token && script.get(token)) || 'revoked';
      switch (behavior) {
        case 'html':
          return {
            status: 200,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            body: CAPTIVE_PORTAL,
          };
        case 'hang':
        case 'reset':
        case 'endless':
          return behavior;
        case 'malformed':
          return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: '{"data": [{"id": "trunc',
          };
      }
      const answer = route(behavior, req);
      if (answer) return answer;
      if (behavior === 'server_error') {
        return json(503, {
          error: { message: 'The service is temporarily unavailable.', type: 'server_error' },
        });
      }
      return json(500, {
        error: { message: `fake ${spec.name}: behavior ${behavior} is not scripted for ${req.path}` },
      });
    },
    { delayMs: options.delayMs ?? 0 },
  );
  return Object.assign(server, {
    baseUrl: `${server.origin}${spec.basePath}`,
    script(token: string, behavior: FakeBehavior) {
      script.set(token, behavior);
    },
    tokens: () => [...seen],
  });
}

/** The OpenAI-style model list most providers answer `GET /models` with. */
export function modelList(...ids: string[]): unknown {
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 1790000000, owned_by: 'test' })),
  };
}
