import type { IncomingMessage, ServerResponse } from 'node:http';
import { counterWaits, headersOf, sendReply, startLoopbackServer } from '../loopback-server.ts';

/** A scripted answer: status, headers and a JSON value or a raw body. */
export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as-is (set `content-type` in headers). */
  body?: string;
}

/**
 * What the server does with a request: answer, never answer (`hang`), reset the connection, or
 * send a 200 JSON body that never ends (`endless`: as fast as the client reads, until it hangs up).
 */
export type FakeAction = FakeReply | 'hang' | 'reset' | 'endless';

/** A request the fake server received. Tests use placeholder tokens, so they are kept as sent. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

/** Options of {@link startFakeServer}. */
export interface FakeServerOptions {
  /** Wait this long before answering (for the bench). @default 0 */
  delayMs?: number;
}

/** A real HTTP server on 127.0.0.1 with a random port. Close it in the test that started it. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /**
   * Requests being answered right now, the most there ever were at once, and the body bytes
   * written so far (including those of `endless` answers).
   */
  readonly stats: { inFlight: number; maxInFlight: number; bytesSent: number };
  /** Answer delay in ms; may be changed between requests. */
  delayMs: number;
  /** Holds every answer until {@link FakeServer.release} (for concurrency tests, without timers). */
  hold(): void;
  /** Releases held answers and stops holding. */
  release(): void;
  /** Resolves once `count` requests are in flight at the same time. */
  waitForInFlight(count: number): Promise<void>;
  /** Closes the server, destroying open sockets (hanging requests included). */
  close(): Promise<void>;
}

function record(req: IncomingMessage): RecordedRequest {
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: headersOf(req),
  };
}

/** Writes a JSON-looking body forever, as fast as the client reads; stops when it hangs up. */
function sendEndless(res: ServerResponse, count: (bytes: number) => void): void {
  const chunk = Buffer.from(`${'{"id":"endless-model-test","object":"model"},'.repeat(1024)}`);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"object":"list","data":[');
  const pump = () => {
    while (!res.destroyed && !res.writableEnded) {
      count(chunk.length);
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/**
 * Starts a fake HTTP server that answers each request with what `handler` scripts.
 *
 * @param handler - decides the answer from the request
 * @param options - answer delay
 */
export async function startFakeServer(
  handler: (req: RecordedRequest) => FakeAction,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const stats = { inFlight: 0, maxInFlight: 0, bytesSent: 0 };
  const inFlight = counterWaits(() => stats.inFlight);

  const loopback = await startLoopbackServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const recorded = record(req);
      requests.push(recorded);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      inFlight.check();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        stats.inFlight--;
      };
      res.on('close', finish);
      loopback.answerLater(
        () => {
          const action = handler(recorded);
          if (action === 'hang') return; // Never answers: the client's timeout must end it.
          if (action === 'reset') {
            req.socket.resetAndDestroy();
            return;
          }
          if (action === 'endless') {
            sendEndless(res, (bytes) => {
              stats.bytesSent += bytes;
            });
            return;
          }
          stats.bytesSent += Buffer.byteLength(
            action.json !== undefined ? JSON.stringify(action.json) : (action.body ?? ''),
          );
          sendReply(res, action, 'json');
        },
        () => fake.delayMs,
      );
    });
  });

  const fake: FakeServer = {
    origin: loopback.origin,
    requests,
    stats,
    delayMs: options.delayMs ?? 0,
    hold: loopback.hold,
    release: loopback.release,
    waitForInFlight: inFlight.waitFor,
    close: loopback.close,
  };
  return fake;
}
