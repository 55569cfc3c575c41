import { existsSync, statSync } from 'node:fs';
import { dirname, parse, resolve, sep } from 'node:path';
import type { SourceId } from '@ctd/core';
import { ALL_ADAPTERS, createScanContext, type SourceAdapter } from '@ctd/scanners';
import type { FSWatcher } from 'chokidar';

/** Default quiet time after the last event of a source before it is reported (ms). */
export const DEFAULT_WATCH_DEBOUNCE_MS = 100;

/** One debounced change of a source's store. */
export interface StoreChange {
  readonly source: SourceId;
  /** The watched files that changed (created, written, replaced or deleted) since the last report. */
  readonly paths: readonly string[];
  /** When the first event of this batch arrived (ms since the epoch, `Date.now()`). */
  readonly firstEventAt: number;
}

/** Options of a {@link CredentialWatcher}. */
export interface CredentialWatcherOptions {
  /** The sources whose files are watched (every `adapter.files(ctx)`). @default `ALL_ADAPTERS` */
  readonly adapters?: readonly SourceAdapter[] | undefined;
  /** Only these sources. @default every adapter's */
  readonly sources?: readonly SourceId[] | undefined;
  /** HOME and the CLIs' path overrides, which decide where the files are. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Quiet time after the last event of a source before it is reported (ms). @default 100 */
  readonly debounceMs?: number | undefined;
  /** Called once per debounced batch of changes of one source. Errors it throws are passed to `onError`. */
  readonly onChange: (change: StoreChange) => void | Promise<void>;
  /** Called with a watcher error (an unreadable directory, too many watches). Never fatal. */
  readonly onError?: ((error: Error) => void) | undefined;
  /**
   * Poll instead of using OS events (network file systems, containers without inotify). Slower.
   * @default false
   */
  readonly usePolling?: boolean | undefined;
  /** Keep the process alive while watching (a `watch` command). @default false */
  readonly persistent?: boolean | undefined;
}

/** Longer than chokidar's 50 ms throttle of repeated change events of one file. */
const VERIFY_AFTER_MS = 75;

interface Pending {
  timer: NodeJS.Timeout;
  paths: Set<string>;
  firstEventAt: number;
}

/** The deepest existing directory on the way to `path` (the file system root at worst). */
function existingAncestor(path: string): string {
  let dir = path;
  for (;;) {
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      // Not there (or unreadable): go up.
    }
    const up = dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

/**
 * Watches every credential file of the adapters (their `files(ctx)`: stores and the settings that
 * select them) and reports, per source and debounced, that its store changed, so the caller
 * re-scans that source, re-validates, re-imports and records it. A re-login or a refresh by the
 * CLI itself is thus picked up by itself.
 *
 * Robust to the ways CLIs and users change files: an in-place write, an atomic replace (write a
 * temporary file, rename it over the store), deleting the file, and deleting and re-creating its
 * directory. chokidar drops paths that do not exist, so each file is watched from an anchor: the
 * parent of its directory (or the nearest existing ancestor), with everything but the way down
 * to the watched files ignored, so only a few directories are watched. When an anchor itself
 * disappears, the anchors are computed again.
 *
 * The watcher never reads a file: it only says which source changed.
 */
export class CredentialWatcher {
  readonly #options: CredentialWatcherOptions;
  readonly #debounceMs: number;
  /** Watched file → its source. */
  readonly #targets = new Map<string, SourceId>();
  /** Every directory on the way to a watched file (from the anchors down). */
  readonly #ancestors = new Set<string>();
  readonly #anchors = new Set<string>();
  readonly #pending = new Map<SourceId, Pending>();
  /** Per watched file, what it was at the last report (inode, size, mtime), to catch lost events. */
  readonly #stamps = new Map<string, string>();
  readonly #verifyTimers = new Set<NodeJS.Timeout>();
  #watcher: FSWatcher | undefined;
  #closed = false;

  /** @param options - adapters, sources, environment, debounce, the change callback */
  constructor(options: CredentialWatcherOptions) {
    this.#options = options;
    this.#debounceMs = Math.max(0, options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS);
    const adapters = (options.adapters ?? ALL_ADAPTERS).filter(
      (a) => !options.sources || options.sources.includes(a.id),
    );
    const ctx = createScanContext({ env: options.env ?? process.env, adapters: options.adapters });
    for (const adapter of adapters) {
      let files: ReturnType<SourceAdapter['files']>;
      try {
        files = adapter.files(ctx);
      } catch {
        // An adapter that cannot resolve its paths (no HOME) has nothing to watch.
        continue;
      }
      for (const file of files) {
        const path = resolve(file.path);
        if (!this.#targets.has(path)) this.#targets.set(path, adapter.id);
      }
    }
    for (const path of this.#targets.keys()) {
      const root = parse(path).root;
      for (let dir = dirname(path); ; dir = dirname(dir)) {
        this.#ancestors.add(dir);
        if (dir === root) break;
      }
    }
  }

  /** The watched files, each with its source. */
  get files(): ReadonlyMap<string, SourceId> {
    return this.#targets;
  }

  /** Starts watching; resolves once the initial directory walk is done (events from then on count). */
  async start(): Promise<void> {
    if (this.#watcher || this.#closed) return;
    for (const path of this.#targets.keys()) this.#stamps.set(path, stamp(path));
    const anchors = this.#computeAnchors();
    for (const a of anchors) this.#anchors.add(a);
    // chokidar loads only when a watch starts, not with every import of the refresher.
    const { watch } = await import('chokidar');
    if (this.#watcher || this.#closed) return;
    const watcher = watch([...anchors], {
      ignoreInitial: true,
      persistent: this.#options.persistent ?? false,
      followSymlinks: true,
      usePolling: this.#options.usePolling ?? false,
      interval: 100,
      // Everything that is neither a watched file nor on the way to one.
      ignored: (path: string) => !this.#relevant(path),
    });
    this.#watcher = watcher;
    watcher.on('all', (event, path) => this.#onEvent(event, path));
    watcher.on('error', (error) => this.#options.onError?.(error as Error));
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  }

  /** Stops watching; pending batches are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    for (const t of this.#verifyTimers) clearTimeout(t);
    this.#verifyTimers.clear();
    await this.#watcher?.close();
    this.#watcher = undefined;
  }

  #relevant(path: string): boolean {
    const p = resolve(path);
    if (this.#targets.has(p) || this.#ancestors.has(p)) return true;
    // An anchor is always watched; below it only the way down to the files.
    for (const a of this.#anchors) if (p === a) return true;
    return false;
  }

  /** For each file: the parent of its directory (so the directory's own deletion is seen), or the nearest existing ancestor. */
  #computeAnchors(): Set<string> {
    const anchors = new Set<string>();
    const home = (this.#options.env ?? process.env).HOME;
    const homeDir = home ? resolve(home) : undefined;
    for (const path of this.#targets.keys()) {
      const dir = dirname(path);
      // A file right in the home directory (`~/.claude.json`) is watched from the home directory,
      // not from its parent: the home directory is not deleted and re-created, and its parent (e.g.
      // /tmp for a temporary home) can be busy with the whole machine's files, each change of
      // which chokidar answers by listing the directory again (measured in a gateway: most of the
      // CPU the plugin added to an agent turn).
      anchors.add(existingAncestor(dir === homeDir ? dir : dirname(dir)));
    }
    // An anchor inside another anchor is already covered by it.
    return new Set(
      [...anchors].filter(
        (a) => ![...anchors].some((b) => b !== a && a.startsWith(b.endsWith(sep) ? b : b + sep)),
      ),
    );
  }

  #onEvent(event: string, path: string): void {
    if (this.#closed) return;
    const p = resolve(path);
    if (event === 'unlinkDir' && (this.#anchors.has(p) || !existsSync(dirname(p)))) this.#rearm();
    const affected = this.#sourcesAt(p);
    for (const source of affected) this.#queue(source, p);
  }

  /** The sources a path concerns: its own source for a watched file, every source below a directory. */
  #sourcesAt(path: string): SourceId[] {
    const own = this.#targets.get(path);
    if (own) return [own];
    if (!this.#ancestors.has(path)) return [];
    const prefix = path.endsWith(sep) ? path : path + sep;
    const sources = new Set<SourceId>();
    for (const [file, source] of this.#targets) if (file.startsWith(prefix)) sources.add(source);
    return [...sources];
  }

  #queue(source: SourceId, path: string): void {
    const pending = this.#pending.get(source);
    if (pending) {
      pending.paths.add(path);
      pending.timer.refresh();
      return;
    }
    const entry: Pending = {
      paths: new Set([path]),
      firstEventAt: Date.now(),
      timer: setTimeout(() => this.#flush(source), this.#debounceMs),
    };
    entry.timer.unref();
    this.#pending.set(source, entry);
  }

  #flush(source: SourceId): void {
    const pending = this.#pending.get(source);
    this.#pending.delete(source);
    if (!pending || this.#closed) return;
    const change: StoreChange = {
      source,
      paths: [...pending.paths].filter((p) => this.#targets.has(p) || this.#ancestors.has(p)),
      firstEventAt: pending.firstEventAt,
    };
    const files = [...this.#targets].filter(([, s]) => s === source).map(([p]) => p);
    for (const path of files) this.#stamps.set(path, stamp(path));
    // chokidar drops a second change of a file within 50 ms of the first (its throttle), so a
    // write right after the one reported could go unseen: look at the files once more after it.
    const verify = setTimeout(() => {
      this.#verifyTimers.delete(verify);
      if (this.#closed) return;
      for (const path of files) {
        if (stamp(path) !== this.#stamps.get(path)) this.#queue(source, path);
      }
    }, VERIFY_AFTER_MS);
    verify.unref();
    this.#verifyTimers.add(verify);
    try {
      const r = this.#options.onChange(change);
      if (r && typeof (r as Promise<void>).catch === 'function') {
        (r as Promise<void>).catch((error: unknown) => this.#options.onError?.(toError(error)));
      }
    } catch (error) {
      this.#options.onError?.(toError(error));
    }
  }

  /** An anchor (or a directory above a file) went away: watch from whatever exists now. */
  #rearm(): void {
    const watcher = this.#watcher;
    if (!watcher) return;
    for (const anchor of this.#computeAnchors()) {
      if (this.#anchors.has(anchor)) continue;
      this.#anchors.add(anchor);
      watcher.add(anchor);
    }
  }
}

/** What a file is now (inode, size, mtime), or that it is missing; never its content. */
function stamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return 'missing';
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
