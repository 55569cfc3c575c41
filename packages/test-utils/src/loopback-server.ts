// The plumbing the scripted fakes share (the fake provider server and the fake OAuth token
// endpoint): a real HTTP server on 127.0.0.1 with a random port, answers that can be held and
// delayed, waits on a counter without timers, and a close that also ends hanging requests. What a
// fake answers and what it records stays in the fake.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A server listening on 127.0.0.1 whose sockets are tracked, so that closing it ends them all. */
export interface LoopbackListener {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Tracks a socket the server did not accept itself (a tunnel's upstream), to destroy on close. */
  track(socket: Socket): void;
  /** Destroys every tracked socket (hanging requests and tunnels included) and closes the server. */
  close(): Promise<void>;
}

/**
 * Makes `server` listen on 127.0.0.1 with a random port, tracking every connection it accepts.
 *
 * @param server - a server with its handlers attached
 */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    track,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A started loopback server. Close it in the test that started it. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /**
   * Runs `answer` after `delayMs()` ms (at once for 0), or, while answers are held, once they are
   * released. The delay is read when it starts, so a change between calls (or during a hold) counts.
   */
  answerLater(answer: () => void, delayMs: () => number): void;
  /** Holds every answer until {@link LoopbackServer.release}. */
  hold(): void;
  /** Releases held answers and stops holding. */
  release(): void;
  /** Closes the server, dropping held answers and destroying open sockets (hanging requests included). */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 with a random port.
 *
 * @param onRequest - handles each request (it answers through {@link LoopbackServer.answerLater})
 */
export async function startLoopbackServer(
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LoopbackServer> {
  let held: Array<() => void> | undefined;
  const listener = await listenOnLoopback(createServer(onRequest));
  return {
    origin: listener.origin,
    answerLater(answer, delayMs) {
      const afterDelay = () => {
        const ms = delayMs();
        if (ms > 0) setTimeout(answer, ms);
        else answer();
      };
      if (held) held.push(afterDelay);
      else afterDelay();
    },
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const go of waiting) go();
    },
    close() {
      held = undefined;
      return listener.close();
    },
  };
}

/** Waits on a counter (calls, requests in flight) without timers. */
export interface CounterWaits {
  /** Resolves once the counter is at least `count`. */
  waitFor(count: number): Promise<void>;
  /** Resolves the waits the counter now meets; call it after every increase. */
  check(): void;
}

/**
 * Waits on the counter `current` reads.
 *
 * @param current - reads the counter
 */
export function counterWaits(current: () => number): CounterWaits {
  const watchers: Array<{ count: number; resolve: () => void }> = [];
  return {
    waitFor(count) {
      if (current() >= count) return Promise.resolve();
      return new Promise((resolve) => watchers.push({ count, resolve }));
    },
    check() {
      for (const w of watchers.filter((x) => current() >= x.count)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    },
  };
}

/**
 * The request's headers with lower-case names, repeated ones joined with `, ` (tests use
 * placeholder tokens, so they are kept as sent).
 *
 * @param req - the request
 */
export function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return headers;
}

/** A scripted answer's parts, as both fakes script them. */
export interface ScriptedReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  readonly body?: string;
}

/**
 * Writes a scripted answer: `json` is sent as `application/json` (unless `content-type` is set),
 * otherwise `body` as-is. Where both are set, `prefer` says which one is sent.
 *
 * @param res - the response
 * @param reply - the answer
 * @param prefer - which of `json` and `body` wins when both are set
 */
export function sendReply(res: ServerResponse, reply: ScriptedReply, prefer: 'json' | 'body'): void {
  const headers: Record<string, string> = { ...reply.headers };
  let body = reply.body ?? '';
  if (reply.json !== undefined && (prefer === 'json' || reply.body === undefined)) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}
