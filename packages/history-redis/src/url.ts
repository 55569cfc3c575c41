// Parsing a Redis URL into client options, and the one way it is ever shown: without the password.
import type { ConnectionOptions } from 'node:tls';
import { CtdError } from '@ctd/core';

/** What a `redis://` or `rediss://` URL says. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  /** `rediss://`: TLS. */
  tls: boolean;
  /** The URL without its password, for messages and `location`. */
  display: string;
}

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` (TLS with `rediss://`). The password may
 * also come from `$CTD_REDIS_PASSWORD` (the caller passes it), so that it stays out of the URL.
 *
 * @param url - the URL
 * @throws CtdError `BAD_USAGE` for another scheme or a malformed URL (the message never holds the password)
 */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CtdError('BAD_USAGE', 'the Redis URL is not a valid URL (expected redis://host:port/db)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new CtdError(
      'BAD_USAGE',
      `the Redis URL must start with redis:// or rediss:// (got ${u.protocol}//)`,
    );
  }
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) {
    throw new CtdError('BAD_USAGE', `the Redis URL's database must be a number (got "/${path}")`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = u.port ? Number(u.port) : 6379;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const display = `${u.protocol}//${username ? `${encodeURIComponent(username)}@` : ''}${hostPart}:${port}/${db}`;
  return { host, port, db, username, password, tls: u.protocol === 'rediss:', display };
}

/**
 * The URL with any password replaced by `***` (for logs and errors).
 *
 * @param url - a Redis URL, possibly with a password
 */
export function redactRedisUrl(url: string): string {
  try {
    return parseRedisUrl(url).display;
  } catch {
    return url.replace(/\/\/([^@/]*)@/, (_, cred: string) => `//${cred.split(':')[0] ?? ''}:***@`);
  }
}

/** TLS options for `rediss://` (a CA for a private server, a client certificate). */
export type RedisTlsOptions = Pick<
  ConnectionOptions,
  'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'
>;
