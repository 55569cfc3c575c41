// opencode 1.18 keeps console logins and v2 credentials in its SQLite database, `opencode.db`
// (beside auth.json). It is read with node:sqlite, read-only, in one short transaction-free pass:
// in WAL mode (opencode's) a reader never blocks the CLI's writes, and the connection is closed
// before the scan goes on. A Node without node:sqlite reports the file instead of reading it.
import { stat } from 'node:fs/promises';
import { CtdErrorCode } from '@ctd/core';

/** A row of `account` (the active console login) or `control_account` (one per email and server). */
export interface OpencodeAccountRow {
  readonly table: 'account' | 'control_account';
  /** `account.id`, or `<email> <url>` for `control_account` (its primary key). */
  readonly key: string;
  readonly email: string;
  readonly url: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** ms since the epoch, when known. */
  readonly tokenExpiry: number | null;
}

/** A row of the v2 `credential` table: a provider (integration) and its JSON value. */
export interface OpencodeCredentialRow {
  readonly id: string;
  readonly integrationId: string;
  readonly label: string;
  /** The parsed `value` column: `{type: "oauth", refresh, access, expires}` or `{type: "key", key}`. */
  readonly value: unknown;
}

/** What reading the database gave. */
export type OpencodeDbRead =
  | { readonly status: 'missing' }
  | {
      readonly status: 'error';
      readonly code: CtdErrorCode;
      readonly reason: string;
      readonly severity: 'error' | 'info';
    }
  | {
      readonly status: 'ok';
      readonly accounts: OpencodeAccountRow[];
      readonly credentials: OpencodeCredentialRow[];
    };

type SqliteModule = typeof import('node:sqlite');

let sqlite: Promise<SqliteModule | undefined> | undefined;

// A variable, not a literal: bundlers rewrite the `node:` imports they do not know (esbuild turns
// `node:sqlite` into `sqlite`, which does not exist), and this one must reach Node as written.
const SQLITE_MODULE = 'node:sqlite';

/** node:sqlite, or undefined on a Node without it (before 22.13 it needs a flag). */
function loadSqlite(): Promise<SqliteModule | undefined> {
  sqlite ??= (async () => {
    // Node announces node:sqlite as experimental on its first load; a library must not print, so
    // that one warning is held back while the module loads (any other warning passes through).
    const emit = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const text = typeof warning === 'string' ? warning : warning.message;
      if (/SQLite/i.test(text)) return;
      (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      return (await import(SQLITE_MODULE)) as SqliteModule;
    } catch {
      return undefined;
    } finally {
      process.emitWarning = emit;
    }
  })();
  return sqlite;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v > 0
    ? v
    : typeof v === 'bigint' && v > 0n
      ? Number(v)
      : null;

/**
 * Reads the logins in `opencode.db`: the `account` and `control_account` tables and the v2
 * `credential` table (rows without an integration are skipped, as opencode does). Never throws;
 * never writes (read-only connection, no checkpoint, closed at once).
 *
 * @param path - the database file
 */
export async function readOpencodeDb(path: string): Promise<OpencodeDbRead> {
  try {
    const s = await stat(path);
    if (!s.isFile())
      return { status: 'error', code: CtdErrorCode.NOT_A_FILE, reason: 'is not a file', severity: 'error' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    if (code === 'ELOOP')
      return {
        status: 'error',
        code: CtdErrorCode.SYMLINK_LOOP,
        reason: 'is a symlink loop',
        severity: 'error',
      };
    return {
      status: 'error',
      code: CtdErrorCode.FILE_UNREADABLE,
      reason: 'cannot be read',
      severity: 'error',
    };
  }
  const mod = await loadSqlite();
  if (!mod) {
    return {
      status: 'error',
      code: CtdErrorCode.BACKEND_UNAVAILABLE,
      reason:
        'is an SQLite database and this Node has no node:sqlite (Node >= 22.13 reads it): its logins are not read',
      severity: 'info',
    };
  }
  let db: InstanceType<SqliteModule['DatabaseSync']> | undefined;
  try {
    // A short busy timeout: should the CLI hold a write lock (rollback-journal mode), wait briefly
    // rather than fail, and never long enough to matter to it.
    db = new mod.DatabaseSync(path, { readOnly: true, timeout: 2000 });
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: unknown }[]).map(
        (r) => str(r.name),
      ),
    );
    const accounts: OpencodeAccountRow[] = [];
    if (tables.has('account')) {
      for (const r of db
        .prepare('SELECT id, email, url, access_token, refresh_token, token_expiry FROM account')
        .all()) {
        accounts.push({
          table: 'account',
          key: str(r.id),
          email: str(r.email),
          url: str(r.url),
          accessToken: str(r.access_token),
          refreshToken: str(r.refresh_token),
          tokenExpiry: num(r.token_expiry),
        });
      }
    }
    if (tables.has('control_account')) {
      const rows = db
        .prepare('SELECT email, url, access_token, refresh_token, token_expiry FROM control_account')
        .all();
      for (const r of rows) {
        accounts.push({
          table: 'control_account',
          key: `${str(r.email)} ${str(r.url)}`,
          email: str(r.email),
          url: str(r.url),
          accessToken: str(r.access_token),
          refreshToken: str(r.refresh_token),
          tokenExpiry: num(r.token_expiry),
        });
      }
    }
    const credentials: OpencodeCredentialRow[] = [];
    if (tables.has('credential')) {
      const rows = db
        .prepare('SELECT id, integration_id, label, value FROM credential ORDER BY time_created')
        .all();
      for (const r of rows) {
        const integrationId = str(r.integration_id);
        if (!integrationId) continue;
        let value: unknown;
        try {
          value = JSON.parse(str(r.value));
        } catch {
          value = undefined;
        }
        credentials.push({ id: str(r.id), integrationId, label: str(r.label), value });
      }
    }
    return { status: 'ok', accounts, credentials };
  } catch (error) {
    const code = (error as { errcode?: number }).errcode;
    // SQLITE_NOTADB (26) / SQLITE_CORRUPT (11): not a database; anything else: cannot be read now.
    return code === 26 || code === 11
      ? {
          status: 'error',
          code: CtdErrorCode.INVALID_SHAPE,
          reason: 'is not a readable SQLite database',
          severity: 'error',
        }
      : {
          status: 'error',
          code: CtdErrorCode.FILE_UNREADABLE,
          reason: 'cannot be read as an SQLite database now',
          severity: 'error',
        };
  } finally {
    db?.close();
  }
}
