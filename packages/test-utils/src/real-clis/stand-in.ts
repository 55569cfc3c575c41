import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FakeReply } from '../fake-providers/server.ts';

const exec = promisify(execFile);

/** A request that reached the stand-in (tests use placeholder tokens, so headers are kept). */
export interface StandInRequest {
  readonly host: string;
  readonly method: string;
  /** Path with the query string. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Answers a request; undefined gives a 404. */
export type StandInHandler = (request: StandInRequest) => FakeReply | undefined;

/** HTTPS stand-ins for a CLI's real servers, on loopback, reached through a proxy. */
export interface StandIn {
  /**
   * Variables that send a CLI's HTTPS traffic to the stand-in and make it trust the stand-in's CA:
   * `HTTPS_PROXY` (and `https_proxy`), `SSL_CERT_FILE` (Rust and Go clients), `NODE_EXTRA_CA_CERTS`
   * (Node), `CODEX_CA_CERTIFICATE` (Codex).
   */
  readonly env: Readonly<Record<string, string>>;
  /** Every request answered, in order. */
  readonly requests: StandInRequest[];
  /** `host:port` of every tunnel asked for (hosts not stood in for get a certificate they reject). */
  readonly tunnels: string[];
  close(): Promise<void>;
}

/**
 * Starts loopback stand-ins for `hosts` (e.g. `api.github.com`): a throwaway CA made with
 * `openssl`, an HTTPS server holding a certificate for those names, and a CONNECT proxy that
 * delivers every tunnel to it, so nothing leaves the machine (a host not in the list fails its TLS
 * check). The CLIs then run unmodified, their logins completed against `handler`.
 *
 * @param hosts - the host names to stand in for
 * @param handler - the answers
 */
export async function startStandIn(hosts: readonly string[], handler: StandInHandler): Promise<StandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'ctd-stand-in-'));
  const file = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => exec('openssl', args);
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=ctd test stand-in CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('leaf.key'),
    '-out',
    file('leaf.csr'),
    '-subj',
    '/CN=ctd stand-in',
  );
  await writeFile(
    file('leaf.ext'),
    `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
  );
  await ssl(
    'x509',
    '-req',
    '-in',
    file('leaf.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('leaf.pem'),
    '-days',
    '2',
    '-extfile',
    file('leaf.ext'),
  );

  const requests: StandInRequest[] = [];
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const tls = createHttpsServer(
    { key: await readFile(file('leaf.key')), cert: await readFile(file('leaf.pem')) },
    (req: IncomingMessage, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => {
        const request: StandInRequest = {
          host: (req.headers.host ?? '').replace(/:443$/, ''),
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body,
        };
        requests.push(request);
        const reply = handler(request) ?? { status: 404, json: { message: 'Not Found' } };
        const headers: Record<string, string> = { ...reply.headers };
        let out = reply.body ?? '';
        if (reply.json !== undefined) {
          out = JSON.stringify(reply.json);
          headers['content-type'] ??= 'application/json';
        }
        res.writeHead(reply.status, headers).end(out);
      });
    },
  );
  tls.on('connection', track);
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  const tlsPort = (tls.address() as AddressInfo).port;

  const proxy = createHttpServer((_req, res) => res.writeHead(502).end());
  proxy.on('connection', track);
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const upstream = connect(tlsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    env: {
      HTTPS_PROXY: proxyUrl,
      https_proxy: proxyUrl,
      SSL_CERT_FILE: file('ca.pem'),
      NODE_EXTRA_CA_CERTS: file('ca.pem'),
      CODEX_CA_CERTIFICATE: file('ca.pem'),
    },
    requests,
    tunnels,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => tls.close(() => r())),
        new Promise<void>((r) => proxy.close(() => r())),
      ]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
