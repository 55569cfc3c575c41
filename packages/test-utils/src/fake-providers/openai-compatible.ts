import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How the fake answers a chat request made with one key: `ok` (200, a short reply, streamed when
 * asked), `rate_limited` (429 with `Retry-After`), `unauthorized` (401 `invalid_api_key`),
 * `server_error` (500).
 */
export type ChatBehavior =
  | { readonly type: 'ok' }
  | {
      readonly type: 'rate_limited';
      readonly retryAfterS: number;
      /** The error message (OpenClaw retries a short-window limit on the same key, not a daily one). */
      readonly message?: string | undefined;
    }
  | {
      readonly type: 'unauthorized';
      /** The error message (OpenClaw cools a revoked key down for 10 min, a wrong one for 30 s). */
      readonly message?: string | undefined;
    }
  | { readonly type: 'server_error' };

/** One chat request the fake received: only the SHA-256 of its key is kept, never the key. */
export interface ChatRequestRecord {
  /** SHA-256 hex of the bearer key, or `''` when the request had none. */
  readonly keyHash: string;
  readonly stream: boolean;
  readonly model: string;
  /** Whether the request offered tools (an agent turn does; a one-off utility completion does not). */
  readonly tools: boolean;
  /** Size of the request body in bytes. */
  readonly bytes: number;
  /** The status the fake answered. */
  readonly status: number;
  /** When it arrived (epoch ms). */
  readonly at: number;
}

/** Options of {@link startFakeOpenAICompatible}. */
export interface FakeOpenAICompatibleOptions {
  /** Keys the fake knows and how each answers (default: `ok`). Unknown keys get 401. */
  readonly keys?: readonly string[] | undefined;
  /** Reply text of a successful completion. @default 'ok' */
  readonly reply?: string | undefined;
  /** Wait this long before answering a chat request (ms). @default 0 */
  readonly delayMs?: number | undefined;
}

/** A fake OpenAI-compatible endpoint on 127.0.0.1. Close it in the test that started it. */
export interface FakeOpenAICompatible {
  /** `http://127.0.0.1:<port>/v1`: what a client's base-URL setting points at. */
  readonly baseUrl: string;
  /** Every chat request, in arrival order. */
  readonly chatRequests: readonly ChatRequestRecord[];
  /** Sets how a key answers from now on (the key may be new). */
  script(key: string, behavior: ChatBehavior): void;
  /** Chat requests per key hash (keys that received none are absent). */
  countsByKeyHash(): Map<string, number>;
  /** Forgets the recorded requests (scripts stay). */
  resetCounts(): void;
  /** Answer delay of chat requests (ms); may be changed between requests. */
  delayMs: number;
  close(): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

const openaiError = (message: string, type: string, code: string | null) => ({
  error: { message, type, param: null, code },
});

/**
 * Starts a fake OpenAI-compatible API (`POST /v1/chat/completions`, streaming included, and
 * `GET /v1/models`) that counts chat requests per key (by SHA-256, so no key is kept) and can be
 * scripted per key: 200, 429 with `Retry-After`, 401, 500. `GET /v1/models` answers 200 for every
 * known key whatever its script (a key check is not a chat request and is not counted).
 *
 * @example
 * const fake = await startFakeOpenAICompatible({ keys: ['sk-test-a', 'sk-test-b'] });
 * fake.script('sk-test-b', { type: 'rate_limited', retryAfterS: 30 });
 */
export async function startFakeOpenAICompatible(
  options: FakeOpenAICompatibleOptions = {},
): Promise<FakeOpenAICompatible> {
  const scripts = new Map<string, ChatBehavior>();
  for (const key of options.keys ?? []) scripts.set(sha256(key), { type: 'ok' });
  const chatRequests: ChatRequestRecord[] = [];
  const replyText = options.reply ?? 'ok';
  const sockets = new Set<Socket>();
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const body = await readBody(req);
    const auth = req.headers.authorization ?? '';
    const key = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : '';
    const keyHash = key ? sha256(key) : '';
    const behavior = scripts.get(keyHash);
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      if (!behavior) {
        sendJson(
          res,
          401,
          openaiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
        );
        return;
      }
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }],
      });
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      sendJson(res, 404, openaiError('Not found.', 'invalid_request_error', 'not_found'));
      return;
    }
    let parsed: { model?: unknown; stream?: unknown; tools?: unknown } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      // A body that is not JSON is still a request made with the key: counted, answered 400.
    }
    const stream = parsed.stream === true;
    const model = typeof parsed.model === 'string' ? parsed.model : '';
    const tools = Array.isArray(parsed.tools) && parsed.tools.length > 0;
    const bytes = Buffer.byteLength(body);
    const answer = (status: number) => {
      chatRequests.push({ keyHash, stream, model, tools, bytes, status, at: Date.now() });
    };
    if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (!behavior || behavior.type === 'unauthorized') {
      answer(401);
      sendJson(
        res,
        401,
        openaiError(
          behavior?.message ?? 'Incorrect API key provided.',
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
      return;
    }
    if (behavior.type === 'rate_limited') {
      answer(429);
      sendJson(
        res,
        429,
        openaiError(
          behavior.message ?? 'Rate limit reached for requests per min.',
          'requests',
          'rate_limit_exceeded',
        ),
        { 'retry-after': String(behavior.retryAfterS) },
      );
      return;
    }
    if (behavior.type === 'server_error') {
      answer(500);
      sendJson(
        res,
        500,
        openaiError('The server had an error while processing your request.', 'server_error', null),
      );
      return;
    }
    answer(200);
    const id = `chatcmpl-fake-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = {
      prompt_tokens: Math.max(1, Math.ceil(body.length / 4)),
      completion_tokens: 1,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: replyText }, finish_reason: 'stop' }],
        usage,
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
    res.write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    res.write(chunk([{ index: 0, delta: { content: replyText }, finish_reason: null }]));
    res.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    res.write(chunk([], { usage }));
    res.end('data: [DONE]\n\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, openaiError('fake failure', 'server_error', null));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeOpenAICompatible = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    delayMs: options.delayMs ?? 0,
    script(key, behavior) {
      scripts.set(sha256(key), behavior);
    },
    countsByKeyHash() {
      const counts = new Map<string, number>();
      for (const r of chatRequests) counts.set(r.keyHash, (counts.get(r.keyHash) ?? 0) + 1);
      return counts;
    },
    resetCounts() {
      chatRequests.length = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
