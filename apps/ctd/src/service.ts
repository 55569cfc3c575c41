import { existsSync } from 'node:fs';
import { CtdError, escapeControlChars, toCtdError } from '@ctd/core';
import {
  type DriverHistoryStore,
  type HistoryNotice,
  openHistoryStore,
  resolveHistoryPath,
} from '@ctd/history';
import { createTokenDiscoveryService, type TokenDiscoveryService, type ValidateFn } from '@ctd/service';
import { type CliIo, palette, useColor } from './io.ts';

/** How a command uses the usage history. */
export type HistoryUse =
  /** Records (scan, import-manual): a history that cannot be opened is reported, and the command goes on without it. */
  | 'write'
  /**
   * Reads (status, history): opened read-only, so nothing is created, locked, renamed or chmodded
   * (a corrupt file is reported and left in place); an unusable file fails the command.
   */
  | 'read'
  /** Changes (history clear): a missing file is not created; an unusable one fails the command. */
  | 'change'
  /** None at all (`scan --no-history`). */
  | 'none';

/** Options of {@link openService}. */
export interface OpenServiceOptions {
  history: HistoryUse;
  /** `--file`: the history file. */
  file?: string | undefined;
  timeoutMs?: number;
  validate?: ValidateFn;
  /**
   * A one-shot command that prints an answer (scan): the history's writes wait for `close()`,
   * which it calls once its output is written. Not for the long-running commands (serve, watch),
   * whose changes other processes sharing the history must see as they happen.
   */
  writeOnClose?: boolean;
}

/** The service a `ctd` command runs, with the history file it uses (when it has one). */
export interface CtdService {
  readonly service: TokenDiscoveryService;
  /** The history file's path (whether or not it exists). */
  readonly historyPath: string;
  /** The open history, or null when there is none (no file yet, `--no-history`, or unusable on a scan). */
  readonly store: DriverHistoryStore | null;
  scan: TokenDiscoveryService['scan'];
  /** Flushes the history and releases it. */
  close(): Promise<void>;
}

/** Writes the history's notices (a corrupt file moved aside, permissions tightened) to stderr. */
export function printNotice(io: CliIo, command: string, n: HistoryNotice): void {
  const c = palette(useColor({ ...io, stdout: io.stderr }));
  io.stderr.write(`${c.yellow(`ctd ${command}:`)} ${escapeControlChars(n.message)} [${n.code}]\n`);
}

/**
 * Creates the TokenDiscoveryService for a `ctd` command: the one pipeline (scan → validate →
 * record) shared with the OpenClaw plugin, with no gateway to import into. The command opens the
 * history file itself, so that reading commands create nothing and notices reach stderr.
 */
export async function openService(
  io: CliIo,
  command: string,
  options: OpenServiceOptions,
): Promise<CtdService> {
  // $CTD_HISTORY_URL (and no --file): the history several gateways share in Redis, whose client is
  // loaded only then. The URL is shown without its password; $CTD_REDIS_PASSWORD can hold it.
  const url = options.file === undefined ? io.env.CTD_HISTORY_URL || undefined : undefined;
  const redis = url ? await import('@ctd/history-redis') : undefined;
  const historyPath =
    redis && url ? redis.redactRedisUrl(url) : resolveHistoryPath({ file: options.file, env: io.env });
  let store: DriverHistoryStore | null = null;
  const use = options.history;
  if (
    use === 'write' ||
    ((use === 'read' || use === 'change') && (redis !== undefined || existsSync(historyPath)))
  ) {
    try {
      store =
        redis && url
          ? await redis.openRedisHistoryStore({
              url,
              keyPrefix: io.env.CTD_HISTORY_KEY_PREFIX || undefined,
              password: io.env.CTD_REDIS_PASSWORD || undefined,
              flushIntervalMs: 0,
              readOnly: use === 'read',
              onNotice: (n) => printNotice(io, command, n),
            })
          : await openHistoryStore({
              file: options.file,
              env: io.env,
              // One command, one flush at the end (close): no timer keeps the process alive.
              flushIntervalMs: 0,
              readOnly: use === 'read',
              onNotice: (n) => printNotice(io, command, n),
            });
    } catch (error) {
      if (options.history !== 'write' || !(error instanceof CtdError)) throw error;
      // A scan still prints what it found when the history cannot be used.
      io.stderr.write(
        `ctd ${command}: the usage history was not updated [${error.code}]: ${escapeControlChars(error.message)}\n`,
      );
    }
  }
  // A command that records (a scan) still prints what it found when the history cannot be
  // written (a lock another program holds, a lock path that is a directory): the failure is said
  // once on stderr, and the store does not wait for the lock a second time (@ctd/history).
  let reported = false;
  const reportWriteFailure = (error: unknown) => {
    if (reported) return;
    reported = true;
    const e = toCtdError(error);
    io.stderr.write(
      `ctd ${command}: the usage history was not updated [${e.code}]: ${escapeControlChars(e.message)}\n`,
    );
  };
  const history =
    store && use === 'write'
      ? tolerateWriteFailures(store, reportWriteFailure, options.writeOnClose ?? false)
      : store;
  const service = createTokenDiscoveryService({
    env: io.env,
    config: { autoImport: false },
    history: history ?? false,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.validate ? { validate: options.validate } : {}),
  });
  return {
    service,
    historyPath,
    store,
    scan: (input) => service.scan(input),
    async close() {
      await service.close();
      await history?.close();
    },
  };
}

/**
 * The store, with `flush` and `close` failures reported instead of thrown: what a command found
 * matters more than recording it. With `writeOnClose`, a flush asked for while the command runs
 * (the service flushes after recording a scan) waits for `close`, which the command calls once
 * its output is written: the history's lock, write and fsyncs do not hold the answer back, and
 * the changes are still durable before the process ends. (A Proxy that calls every method on the
 * store itself, whose private fields a proxied `this` could not reach.)
 */
function tolerateWriteFailures(
  store: DriverHistoryStore,
  report: (error: unknown) => void,
  writeOnClose: boolean,
): DriverHistoryStore {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // The changes stay pending, and close() writes them.
      if (prop === 'flush' && writeOnClose) return async () => undefined;
      if (prop === 'flush' || prop === 'close') {
        return async (...args: unknown[]) => {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (error) {
            report(error);
          }
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
