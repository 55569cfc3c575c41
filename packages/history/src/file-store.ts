import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClearOutcome } from './driver.ts';
import { FileDriver, type FileLockOptions } from './file-driver.ts';
import { type HistoryPathOptions, isDefaultHistoryDir, resolveHistoryPath } from './paths.ts';
import { DriverHistoryStore, type HistoryStoreOptions } from './store.ts';
import type { HistoryNotice } from './types.ts';

export type { ParsedHistory } from './codec.ts';
export { parseHistoryText } from './codec.ts';

/** Options of {@link openHistoryStore}. */
export interface FileHistoryStoreOptions
  extends HistoryPathOptions,
    Omit<HistoryStoreOptions, 'flushIntervalMs'> {
  /**
   * How often pending changes are flushed (and other writers' changes picked up), in ms; 0 turns
   * the timer off (then call `flush()` yourself).
   * @default 1000
   */
  flushIntervalMs?: number | undefined;
  /** Lock timing (stale bound and wait timeout). */
  lock?: FileLockOptions | undefined;
  /**
   * A history file larger than this is not read (`FILE_TOO_LARGE`); {@link clearHistoryFile} moves it aside.
   * @default 16 MiB
   */
  maxBytes?: number | undefined;
  /**
   * Open for reading only (`ctd history`, `ctd status`): nothing is created, written, locked,
   * renamed or chmodded; a corrupt file is reported and left in place; record methods throw.
   * @default false
   */
  readOnly?: boolean | undefined;
}

/**
 * The default history store: one JSON file (mode 0600, in a 0700 directory) shared by every process
 * on the host. Changes are recorded in memory and flushed in batches; each flush takes a
 * cross-process lock, re-reads the file, merges this process's changes into it (so no other
 * writer's update is lost) and replaces the file atomically (temp file, fsync, rename).
 * Create it with {@link openHistoryStore}.
 */
export class FileHistoryStore extends DriverHistoryStore {
  readonly #driver: FileDriver;

  /** Use {@link openHistoryStore}. */
  constructor(
    path: string,
    options: FileHistoryStoreOptions = {},
    dir: { tighten: boolean } = { tighten: false },
  ) {
    const driver = new FileDriver(path, {
      lock: options.lock,
      maxBytes: options.maxBytes,
      readOnly: options.readOnly,
      tightenDirectory: dir.tighten,
      clock: options.clock,
    });
    super(driver, { ...options, flushIntervalMs: options.flushIntervalMs ?? 1000 });
    this.#driver = driver;
  }

  /** How many times this store has replaced the file (each a locked merge and an atomic write). */
  get writes(): number {
    return this.#driver.writes;
  }
}

/**
 * Opens (or prepares) the history file and returns its store. The directory is created with mode
 * 0700 and the file is written with mode 0600. A looser file we own is tightened, and so is the
 * directory when we created it or it is OpenClaw's default `~/.openclaw`; a directory the caller
 * chose (`OPENCLAW_STATE_DIR`, `--file`), a shared one (sticky, like /tmp) or anything reached
 * through a symbolic link is only reported (`store.notices`). A corrupt history file is moved aside
 * (`…corrupt-<time>`) and reported, and a fresh history starts; a file that is not recognisably a
 * history (say a CLI's `auth.json`) is never renamed or changed: opening it fails with
 * `FOREIGN_FILE`. A file written by a newer schema version is never overwritten.
 *
 * @param options - path, batching, clock, lock, size cap, read-only
 * @returns the store; call `close()` when done (a normal process exit also flushes)
 * @throws CtdError `UNSUPPORTED_VERSION` for a newer file, `FOREIGN_FILE`, `FILE_TOO_LARGE`,
 *   `FILE_UNREADABLE`, `NOT_A_FILE`, `LOCK_TIMEOUT` or `LOCK_UNUSABLE` (when a corrupt file must be moved aside)
 * @example
 * const store = await openHistoryStore({ env: process.env });
 * store.ensure({ id: 'example-cli:openai:acct', hash, source: 'example-cli', provider: 'openai' });
 * store.recordUse('example-cli:openai:acct', Date.now());
 * await store.close();
 */
export async function openHistoryStore(options: FileHistoryStoreOptions = {}): Promise<FileHistoryStore> {
  const path = resolveHistoryPath(options);
  const dir = dirname(path);
  let created = false;
  if (!options.readOnly) {
    created = !existsSync(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  // Tighten only a directory we created or the default one (OpenClaw's state directory, which holds
  // secrets anyway); a directory the caller chose (say /tmp) is theirs to manage, so it is reported.
  const store = new FileHistoryStore(path, options, { tighten: created || isDefaultHistoryDir(options) });
  await store.start();
  return store;
}

/** What {@link clearHistoryFile} did. */
export interface ClearHistoryFileResult extends ClearOutcome {
  /** The history file's path. */
  path: string;
  /** What happened, for the user: a file moved aside is named. */
  notices: HistoryNotice[];
}

/**
 * Clears the whole history without needing to read it: a readable history is emptied, and one that
 * cannot be read (larger than `maxBytes`, or corrupt) but is recognisably a history file is moved
 * aside (`…too-large-<time>` / `…corrupt-<time>`), with a notice naming where. A file that is not
 * a history is left untouched (`FOREIGN_FILE`). Use it when `openHistoryStore` fails with
 * `FILE_TOO_LARGE`.
 *
 * @param options - path, lock, size cap, clock
 * @returns how many entries were removed (null when the file could not be read), where the file went
 * @example
 * const { movedTo, notices } = await clearHistoryFile({ env: process.env });
 */
export async function clearHistoryFile(
  options: Pick<FileHistoryStoreOptions, 'file' | 'env' | 'lock' | 'maxBytes' | 'clock'> = {},
): Promise<ClearHistoryFileResult> {
  const path = resolveHistoryPath(options);
  const notices: HistoryNotice[] = [];
  const clock = options.clock ?? Date.now;
  if (!existsSync(dirname(path))) return { path, removed: 0, notices };
  const driver = new FileDriver(path, { lock: options.lock, maxBytes: options.maxBytes, clock });
  await driver
    .open((n) => notices.push({ ...n, at: clock() }))
    .catch((error) => {
      // An unreadable history is what this function is for: the clear below deals with it.
      if (
        !['FILE_TOO_LARGE', 'INVALID_JSON', 'INVALID_SHAPE'].includes((error as { code?: string }).code ?? '')
      ) {
        throw error;
      }
    });
  const outcome = await driver.clear();
  return { path, ...outcome, notices };
}
