import { createServer, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listenOnLoopback } from '../loopback-server.ts';

/** A forward proxy on loopback that records what went through it. */
export interface FakeProxy {
  /** `http://127.0.0.1:<port>`, for `HTTPS_PROXY` / `HTTP_PROXY`. */
  readonly url: string;
  /** `host:port` of every CONNECT tunnel and absolute-form request, in order. */
  readonly targets: string[];
  close(): Promise<void>;
}

/** Options of {@link startFakeProxy}. */
export interface FakeProxyOptions {
  /**
   * Host names (or `host:port`) → a loopback origin (`http://127.0.0.1:<port>`): requests for such a
   * host are delivered there instead, so a test can "reach" `http://api.openai.com` without a
   * network. `targets` still records the host asked for.
   */
  hosts?: Record<string, string>;
}

/**
 * Starts an HTTP forward proxy (CONNECT tunnels and absolute-form requests) on 127.0.0.1.
 *
 * @param options - hosts to deliver to local servers instead
 */
export async function startFakeProxy(options: FakeProxyOptions = {}): Promise<FakeProxy> {
  const hosts = options.hosts ?? {};
  const deliverTo = (host: string, hostname: string): URL | undefined => {
    const origin = hosts[host] ?? hosts[hostname];
    return origin ? new URL(origin) : undefined;
  };
  const targets: string[] = [];
  const server = createServer((req, res) => {
    // Absolute-form: GET http://host:port/path
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    targets.push(target.host);
    const local = deliverTo(target.host, target.hostname);
    const upstream = request(
      {
        host: local?.hostname ?? target.hostname,
        port: local?.port ?? target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const hostPort = req.url ?? '';
    targets.push(hostPort);
    const i = hostPort.lastIndexOf(':');
    const local = deliverTo(hostPort, hostPort.slice(0, i));
    const port = Number(local?.port || hostPort.slice(i + 1));
    const upstream = connect(port, local?.hostname ?? hostPort.slice(0, i), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    listener.track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const listener = await listenOnLoopback(server);
  return { url: listener.origin, targets, close: listener.close };
}
