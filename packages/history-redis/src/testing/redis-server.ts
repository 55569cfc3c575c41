// A real redis-server for tests and the benchmark: Debian's package, installed with apt when it is
// missing (as root, once per machine: `apt-get update` then `apt-get install redis-server`), started
// on loopback on a free port in a temp directory, stopped by its PID. Never a mock.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

function findBinary(): string | null {
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : null;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The repository's installer (also run by `npm test` and `npm run bench` before anything starts). */
const INSTALLER = fileURLToPath(new URL('../../../../scripts/ensure-redis-server.mjs', import.meta.url));

/**
 * The path of `redis-server`, installing Debian's package when it is missing (root only, through
 * scripts/ensure-redis-server.mjs; several test files may ask at once: one installs, the others
 * wait for it).
 */
export function ensureRedisServer(): string {
  const found = findBinary();
  if (found) return found;
  const lock = join(tmpdir(), 'ctd-redis-install.lock');
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (findBinary()) return findBinary() as string;
      if (waited > 600_000) throw new Error(`waited 10 min for another redis-server install (${lock})`);
      sleepSync(200);
    }
  }
  try {
    spawnSync(process.execPath, [INSTALLER], { stdio: ['ignore', 2, 2] });
    const bin = findBinary();
    if (!bin) {
      throw new Error(
        'redis-server is not installed; install it (Debian: apt-get install redis-server) to run the Redis tests',
      );
    }
    return bin;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A free TCP port on loopback, below the kernel's ephemeral range: a server stopped mid-test (to
 * test an outage) keeps its port, and no other test's port-0 listener can take it meanwhile.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
    if (tries > 100) throw new Error('no free port between 20000 and 29999');
  }
}

/** Options of {@link startRedis}. */
export interface RedisServerOptions {
  /** Append-only file with fsync on every write (survives a restart with nothing lost). */
  aof?: boolean;
  /** An ACL user (with every right on every key) and its password; `default` is then disabled. */
  user?: { name: string; password: string };
  /** Serve TLS only (a self-signed certificate for 127.0.0.1, made with openssl): `rediss://`. */
  tls?: boolean;
  /** More arguments (e.g. `--cluster-enabled yes`). */
  args?: string[];
  /**
   * Run as a Sentinel (`--sentinel`) watching the master `name` at this port (quorum 1); `url`
   * is then the Sentinel's address.
   */
  sentinelFor?: { name: string; port: number };
}

/** A running test server. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0` (`rediss://` with TLS; no credentials). */
  readonly url: string;
  readonly pid: number;
  /** Where its files are (the AOF). */
  readonly dir: string;
  /** With `tls`: the PEM of its self-signed certificate (trust it as the CA). */
  readonly certificate: string | null;
  /** Stops it gracefully (SIGTERM: the AOF is complete) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (same data with AOF). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * Starts a redis-server on 127.0.0.1 on a free port, in a temp directory.
 *
 * @param options - AOF, an ACL user
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const bin = ensureRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ctd-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--appendonly',
    options.aof ? 'yes' : 'no',
    '--appendfsync',
    'always',
  ];
  if (options.args) args.push(...options.args);
  if (options.sentinelFor) {
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${options.sentinelFor.name} 127.0.0.1 ${options.sentinelFor.port} 1\n`,
    );
    args.splice(0, args.length, conf, '--sentinel');
  }
  let certificate: string | null = null;
  if (options.tls) {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    if (r.status !== 0) throw new Error('openssl could not make a test certificate');
    certificate = readFileSync(cert, 'utf8');
    args[1] = '0'; // no plain port
    args.push(
      '--tls-port',
      String(port),
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      cert,
      '--tls-auth-clients',
      'no',
    );
  }
  if (options.user) {
    args.push(
      '--user',
      'default',
      'off',
      '--user',
      options.user.name,
      'on',
      `>${options.user.password}`,
      '~*',
      '&*',
      '+@all',
    );
  }
  let child: ChildProcess | null = null;
  const launch = async () => {
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections') || out.includes('+monitor master')) {
          c.stdout?.off('data', onData);
          c.stdout?.resume();
          resolve();
        }
      };
      c.stdout?.on('data', onData);
      c.stderr?.resume();
      c.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
    });
  };
  await launch();
  const stop = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    process.kill(c.pid as number, 'SIGTERM');
    await exited;
  };
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}/0`,
    certificate,
    get pid() {
      return (child as ChildProcess | null)?.pid ?? -1;
    },
    dir,
    stop,
    start: launch,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
