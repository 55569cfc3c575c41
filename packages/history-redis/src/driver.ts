// The Redis driver of the history: the store (@ctd/history) keeps the merge rules, batching and
// transactions; this driver only moves deltas to Redis and state back. Every write is one Lua
// script (scripts.ts), so each merge is atomic on the server and counters are increments.
//
// A lost connection is not an error the caller has to handle: a write whose answer was lost with
// the connection is sent again, once Redis is back, under the same batch id (the script skips a
// batch it has already applied), so nothing is counted twice or lost; a write that could not be
// sent fails at once and the store keeps its changes for the next flush.
import { randomUUID } from 'node:crypto';
import { CtdError } from '@ctd/core';
import type {
  BackendHealth,
  ClearOutcome,
  Delta,
  EntryMap,
  HistoryDriver,
  HistoryEntry,
  HistoryNotice,
  MutableEntry,
  SharedPickRequest,
  SharedPickResult,
} from '@ctd/history';
import { mergeBatch } from '@ctd/history';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { APPLY, CLEAR, PICK, READ, UNPICK } from './scripts.ts';
import { parseRedisUrl, type RedisTlsOptions } from './url.ts';

/** The default key prefix: its `{…}` hash tag keeps every key in one Redis Cluster slot. */
export const DEFAULT_KEY_PREFIX = 'ctd:{history}:';

/** Options of {@link RedisDriver}. */
export interface RedisDriverOptions {
  /** `redis://[user[:password]@]host[:port][/db]`, or `rediss://…` for TLS. Not needed with `client`. */
  url?: string | undefined;
  /** The ACL password, when it is not in the URL (e.g. from `$CTD_REDIS_PASSWORD`). Never logged. */
  password?: string | undefined;
  /** TLS options for `rediss://` (a private CA, a client certificate). */
  tls?: RedisTlsOptions | undefined;
  /**
   * A client you made yourself (a `Cluster`, or a `Redis` with `sentinels`). It must be created
   * with `lazyConnect: true`, `enableOfflineQueue: false` and `autoResendUnfulfilledCommands:
   * false`; the driver connects it and quits it on `close()`.
   */
  client?: Redis | Cluster | undefined;
  /**
   * Prefix of every key. In a Redis Cluster it must hold a `{hash tag}` (the default does).
   * @default 'ctd:{history}:'
   */
  keyPrefix?: string | undefined;
  /** How long the first connection may take before `open` fails. @default 5000 */
  connectTimeoutMs?: number | undefined;
  /** A command without an answer after this long counts as lost with the connection. @default 2000 */
  commandTimeoutMs?: number | undefined;
  /** How long a transaction waits for the shared lock. @default 10000 */
  lockTimeoutMs?: number | undefined;
  /** The clock, in epoch ms. @default Date.now */
  clock?: (() => number) | undefined;
}

interface Scripts {
  ctdApply(key: string, ...args: string[]): Promise<number>;
  ctdRead(key: string, ...args: string[]): Promise<[string, ...unknown[]]>;
  ctdPick(key: string, ...args: string[]): Promise<[string | null, number, number]>;
  ctdClear(key: string, ...args: string[]): Promise<number>;
  ctdUnpick(key: string, ...args: string[]): Promise<number>;
}
type Client = (Redis | Cluster) & Scripts;

const LOCK_TTL_MS = 15_000;

/** JSON has no undefined: a field left out is "no change"; a null setting travels as false. */
const orFalse = <T>(v: T | null | undefined): T | false => (v === null || v === undefined ? false : v);

/** The op the APPLY script runs for one credential's delta. */
export function deltaOp(id: string, d: Delta): string {
  const o: Record<string, unknown> = { id, h: d.ref.hash, s: d.ref.source, p: d.ref.provider };
  if (d.refAt !== null) {
    o.ra = d.refAt;
    if (d.expiresAt !== null) o.ex = d.expiresAt;
  }
  if (d.firstSeen !== null) o.fs = d.firstSeen;
  if (d.lastSeen !== null) o.ls = d.lastSeen;
  if (d.uses) o.u = d.uses;
  if (d.lastUsed !== null) o.lu = d.lastUsed;
  if (d.successes) o.sc = d.successes;
  if (d.failures) o.fl = d.failures;
  if (d.streakReset) {
    o.sr = true;
    o.sa = d.streakAdd;
  } else if (d.streakAdd) o.sa = d.streakAdd;
  if (d.lastSuccessAt !== null) o.lsa = d.lastSuccessAt;
  if (d.lastFailureAt !== null) o.lfa = d.lastFailureAt;
  if (d.latencyCount > 0) {
    o.lc = d.latencyCount;
    o.lsum = d.latencySum;
  }
  if (d.status) o.st = [d.status.value, orFalse(d.status.reason), d.status.at];
  if (d.cooldown) o.cd = [orFalse(d.cooldown.until), orFalse(d.cooldown.cause), d.cooldown.at];
  if (d.models) o.ms = [...d.models].map(([m, op]) => [m, orFalse(op.until), orFalse(op.cause), op.at]);
  if (d.needs) o.nd = [orFalse(d.needs.value), orFalse(d.needs.reason), d.needs.at];
  if (d.validation) {
    o.v = JSON.stringify(d.validation);
    o.vat = Date.parse(d.validation.checkedAt);
  }
  return JSON.stringify(o);
}

/** An op that replaces an entry with these values (a commit without deltas). */
export function putOp(e: HistoryEntry): string {
  const o: Record<string, unknown> = {
    id: e.id,
    put: true,
    h: e.hash,
    s: e.source,
    p: e.provider,
    ra: e.lastSeen ?? 0,
    u: e.usageCount,
    sc: e.successes,
    fl: e.failures,
    sr: true,
    sa: e.consecutiveFailures,
    st: [e.status, orFalse(e.statusReason), e.statusSetAt ?? 0],
    ms: Object.entries(e.modelCooldowns).map(([m, c]) => [m, c.until, c.cause, c.setAt]),
  };
  const opt: [string, number | null][] = [
    ['ex', e.expiresAt],
    ['fs', e.firstSeen],
    ['ls', e.lastSeen],
    ['lu', e.lastUsed],
    ['lsa', e.lastSuccessAt],
    ['lfa', e.lastFailureAt],
    ['lat', e.latencyMs],
  ];
  for (const [k, v] of opt) if (v !== null) o[k] = v;
  if (e.cooldownSetAt !== null) o.cd = [orFalse(e.cooldownUntil), orFalse(e.cooldownCause), e.cooldownSetAt];
  if (e.needsSetAt !== null) o.nd = [orFalse(e.needs), orFalse(e.needsReason), e.needsSetAt];
  if (e.lastValidation) {
    o.v = JSON.stringify(e.lastValidation);
    o.vat = Date.parse(e.lastValidation.checkedAt);
  }
  return JSON.stringify(o);
}

/** An entry from its hash's fields. */
export function entryFromFields(id: string, flat: readonly string[]): MutableEntry {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i] as string, flat[i + 1] as string);
  const n = (k: string): number | null => {
    const v = f.get(k);
    return v === undefined ? null : Number(v);
  };
  const s = (k: string): string | null => f.get(k) ?? null;
  const models: Record<string, { until: number; cause: never; setAt: number }> = {};
  for (const [k, v] of f) if (k.startsWith('m:')) models[k.slice(2)] = JSON.parse(v);
  const validation = s('validation');
  return {
    id,
    hash: s('hash') ?? '',
    source: s('source') ?? '',
    provider: s('provider') ?? '',
    firstSeen: n('firstSeen'),
    lastSeen: n('lastSeen'),
    lastUsed: n('lastUsed'),
    usageCount: n('usageCount') ?? 0,
    successes: n('successes') ?? 0,
    failures: n('failures') ?? 0,
    consecutiveFailures: n('consecutiveFailures') ?? 0,
    lastSuccessAt: n('lastSuccessAt'),
    lastFailureAt: n('lastFailureAt'),
    latencyMs: n('latencyMs'),
    status: (s('status') ?? 'active') as MutableEntry['status'],
    statusReason: s('statusReason'),
    statusSetAt: n('statusSetAt'),
    cooldownUntil: n('cooldownUntil'),
    cooldownCause: s('cooldownCause') as MutableEntry['cooldownCause'],
    cooldownSetAt: n('cooldownSetAt'),
    modelCooldowns: models,
    needs: s('needs') as MutableEntry['needs'],
    needsReason: s('needsReason'),
    needsSetAt: n('needsSetAt'),
    lastValidation: validation === null ? null : JSON.parse(validation),
    expiresAt: n('expiresAt'),
  };
}

/** ioredis refused to send (not connected, offline queue off): the command never left. */
function notSent(error: unknown): boolean {
  return error instanceof Error && /isn't writeable|enableOfflineQueue/.test(error.message);
}

/** Redis answered with an error (a script error, WRONGTYPE, NOPERM): retrying will not help. */
function answered(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/** Redis's answer as our error: its message only (the command's arguments stay out of logs). */
function refused(error: unknown): CtdError {
  if (error instanceof CtdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CtdError(
    /NOPERM|NOAUTH|WRONGPASS/.test(message) ? 'BACKEND_UNAVAILABLE' : 'INTERNAL',
    `Redis refused: ${message}`,
  );
}

function lostSignal(): { promise: Promise<never>; reject: (e: Error) => void } {
  let reject: (e: Error) => void = () => {};
  const promise = new Promise<never>((_, r) => {
    reject = r;
  });
  promise.catch(() => {}); // nobody may be racing it when it settles
  return { promise, reject };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * A history driver on Redis (see the package README for the data model). Several gateways on
 * several hosts share one pool's usage, cooldowns and rotation through it; secrets never enter it.
 */
export class RedisDriver implements HistoryDriver {
  readonly location: string;
  readonly #client: Client;
  readonly #prefix: string;
  readonly #ids: string;
  readonly #connectTimeoutMs: number;
  readonly #lockTimeoutMs: number;
  readonly #clock: () => number;
  #version = '';
  #state: EntryMap = new Map();
  #health: BackendHealth = { state: 'ok', since: null, reason: null };
  #closed = false;
  #opened = false;
  /** The last connection error (at start, the reason rather than ioredis's "Connection is closed"). */
  #lastError: Error | null = null;
  /** Settles when the current connection closes: a pick in flight then gives up at once. */
  #lost: { promise: Promise<never>; reject: (e: Error) => void } = lostSignal();
  /** Writes whose answer was lost, by batch id: sent again until Redis answers. */
  readonly #inDoubt = new Map<string, string[]>();
  #settling: Promise<void> | null = null;
  /** Picks whose answer was lost: their use is taken back once Redis answers again. */
  readonly #lostPicks = new Set<string>();

  constructor(options: RedisDriverOptions) {
    this.#prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.#ids = `${this.#prefix}ids`;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#clock = options.clock ?? Date.now;
    let client: Redis | Cluster;
    if (options.client) {
      client = options.client;
      this.location = `redis (own client) prefix ${this.#prefix}`;
    } else {
      if (!options.url)
        throw new CtdError('BAD_USAGE', 'the Redis history needs a url (redis://host:port/db) or a client');
      const target = parseRedisUrl(options.url);
      const redisOptions: RedisOptions = {
        host: target.host,
        port: target.port,
        db: target.db,
        ...(target.username ? { username: target.username } : {}),
        ...((options.password ?? target.password) ? { password: options.password ?? target.password } : {}),
        ...(target.tls ? { tls: { servername: target.host, ...options.tls } } : {}),
        lazyConnect: true,
        // Fail at once while disconnected (rotation goes on from the last known state), and never
        // resend on our behalf: a lost answer is resolved by the batch id (see #once).
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        connectTimeout: this.#connectTimeoutMs,
        commandTimeout: options.commandTimeoutMs ?? 2000,
        connectionName: 'ctd-history',
        retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      };
      client = new Redis(redisOptions);
      this.location = `${target.display} prefix ${this.#prefix}`;
    }
    this.#client = client as Client;
    // Without a listener, a connection error would be thrown as an uncaught 'error' event.
    client.on('error', (error: Error) => {
      this.#lastError = error;
      this.#degrade(error);
    });
    client.on('close', () => {
      this.#degrade(new Error('connection closed'));
      const lost = this.#lost;
      this.#lost = lostSignal();
      lost.reject(new Error('Connection is closed.'));
    });
    client.on('ready', () => this.#recovered());
    client.defineCommand('ctdApply', { numberOfKeys: 1, lua: APPLY });
    client.defineCommand('ctdRead', { numberOfKeys: 1, lua: READ });
    client.defineCommand('ctdPick', { numberOfKeys: 1, lua: PICK });
    client.defineCommand('ctdClear', { numberOfKeys: 1, lua: CLEAR });
    client.defineCommand('ctdUnpick', { numberOfKeys: 1, lua: UNPICK });
  }

  /** The key prefix in use. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  health(): BackendHealth {
    return this.#health;
  }

  #degrade(error: Error): void {
    if (!this.#opened || this.#closed) return;
    if (this.#health.state === 'degraded') return;
    this.#health = {
      state: 'degraded',
      since: this.#clock(),
      reason: `Redis unreachable (${error.message}): rotating from the last known state, usage kept in memory until it is back`,
    };
  }

  /** Redis answered: not degraded (also after a timeout that ended without a reconnection). */
  #answered(): void {
    if (this.#health.state === 'degraded') this.#recovered();
  }

  #recovered(): void {
    if (!this.#opened) return;
    this.#health = { state: 'ok', since: null, reason: null };
    if (this.#inDoubt.size > 0) void this.#settleInDoubt();
    if (this.#lostPicks.size > 0) void this.#settleLostPicks();
  }

  #unavailable(error: unknown): CtdError {
    const message = error instanceof Error ? error.message : String(error);
    // A command can fail before the connection's 'close' event is seen: degraded from now on.
    this.#degrade(error instanceof Error ? error : new Error(message));
    // No `cause`: ioredis errors carry the command's arguments.
    return new CtdError(
      'BACKEND_UNAVAILABLE',
      `the Redis history at ${this.location} is unreachable: ${message}`,
    );
  }

  /** Connects (a clear error when Redis cannot be reached) and reads the state. */
  async open(_report: (notice: Omit<HistoryNotice, 'at'>) => void): Promise<EntryMap> {
    const client = this.#client;
    if (client.status !== 'ready') {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.status === 'wait' ? client.connect() : new Promise((r) => client.once('ready', r)),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${this.#connectTimeoutMs} ms`)),
              this.#connectTimeoutMs,
            );
          }),
        ]);
      } catch (error) {
        client.disconnect();
        throw this.#unavailable(this.#lastError ?? error);
      } finally {
        clearTimeout(timer);
      }
    }
    this.#opened = true;
    return (await this.#readFull()) ?? new Map();
  }

  async read(): Promise<EntryMap | null> {
    try {
      return await this.#readIfChanged(this.#version);
    } catch (error) {
      throw answered(error) ? refused(error) : this.#unavailable(error);
    }
  }

  async #readFull(): Promise<EntryMap> {
    try {
      return (await this.#readIfChanged('')) ?? this.#state;
    } catch (error) {
      throw answered(error) ? refused(error) : this.#unavailable(error);
    }
  }

  async #readIfChanged(known: string): Promise<EntryMap | null> {
    const reply = await this.#client.ctdRead(this.#ids, this.#prefix, known);
    this.#answered();
    const [version, ...rest] = reply;
    if (rest.length === 0 && known !== '' && version === known) return null;
    const state: EntryMap = new Map();
    for (let i = 0; i + 1 < rest.length; i += 2) {
      const id = rest[i] as string;
      state.set(id, entryFromFields(id, rest[i + 1] as string[]));
    }
    this.#version = version;
    this.#state = state;
    return state;
  }

  /**
   * Runs a write exactly once. A command that could not be sent fails (`BACKEND_UNAVAILABLE`: the
   * store keeps the changes for its next flush). One whose answer was lost with the connection
   * counts as written: the driver keeps it and sends it again, under the same batch id, each time
   * Redis is back until it answers (the script skips a batch it had already applied). So the
   * store never waits for an outage to end, and nothing is lost or applied twice.
   */
  async #once(ops: string[], lockToken: string): Promise<void> {
    const batch = randomUUID();
    const args = [this.#prefix, String(this.#clock()), batch, lockToken, ...ops];
    try {
      await this.#client.ctdApply(this.#ids, ...args);
      this.#answered();
    } catch (error) {
      if (answered(error)) throw refused(error);
      if (notSent(error)) throw this.#unavailable(error);
      this.#unavailable(error); // degraded
      this.#inDoubt.set(batch, args);
      if (this.#client.status === 'ready') void this.#settleInDoubt();
    }
  }

  /** Sends again every write whose answer was lost (same batch ids: applied at most once). */
  #settleInDoubt(): Promise<void> {
    this.#settling ??= (async () => {
      try {
        for (const [batch, args] of [...this.#inDoubt]) {
          try {
            await this.#client.ctdApply(this.#ids, ...args);
            this.#inDoubt.delete(batch);
          } catch (error) {
            if (answered(error))
              this.#inDoubt.delete(batch); // refused for good: retrying will not help
            else return; // unreachable again: tried at the next reconnection
          }
        }
      } finally {
        this.#settling = null;
      }
    })();
    return this.#settling;
  }

  /** Fails at once while disconnected (before any work: a store retries often during an outage). */
  #connected(): void {
    const status = this.#client.status;
    if (status !== 'ready') throw this.#unavailable(new Error(`connection ${status}`));
  }

  async apply(batch: ReadonlyMap<string, Delta>): Promise<EntryMap> {
    this.#connected();
    if (batch.size === 0) return this.#readFull();
    await this.#once(
      [...batch].map(([id, d]) => deltaOp(id, d)),
      '',
    );
    // The batch is stored: a failed read must not fail the flush (the store would send it again).
    return this.#readAfterWrite(() => mergeBatch(this.#state, new Map(batch)));
  }

  /** The fresh state after a write that landed; if Redis is gone again, the best local estimate. */
  async #readAfterWrite(estimate: () => EntryMap): Promise<EntryMap> {
    try {
      return await this.#readFull();
    } catch {
      this.#version = '';
      this.#state = estimate();
      return this.#state;
    }
  }

  async commit(
    merge: (current: EntryMap) => EntryMap,
    changes?: ReadonlyMap<string, Delta>,
  ): Promise<EntryMap> {
    const token = await this.#lock();
    let released = false;
    try {
      const current = await this.#readFull();
      const merged = merge(current);
      const ops: string[] = [];
      for (const id of current.keys()) if (!merged.has(id)) ops.push(JSON.stringify({ id, del: true }));
      if (changes) {
        for (const [id, d] of changes) if (merged.has(id)) ops.push(deltaOp(id, d));
      } else {
        for (const [id, e] of merged) if (current.get(id) !== e) ops.push(putOp(e));
      }
      await this.#once(ops, token);
      released = true;
      return await this.#readAfterWrite(() => merged);
    } finally {
      if (!released) await this.#unlock(token).catch(() => {});
    }
  }

  async #lock(): Promise<string> {
    const token = randomUUID();
    const key = `${this.#prefix}lock`;
    // Real time (the injected clock may stand still in tests).
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      let got: string | null;
      try {
        got = await this.#client.set(key, token, 'PX', LOCK_TTL_MS, 'NX');
      } catch (error) {
        throw answered(error) ? refused(error) : this.#unavailable(error);
      }
      if (got === 'OK') return token;
      if (Date.now() >= deadline) {
        throw new CtdError(
          'LOCK_TIMEOUT',
          `the Redis history's lock (${key}) was held for over ${this.#lockTimeoutMs} ms`,
        );
      }
      await delay(wait);
    }
  }

  async #unlock(token: string): Promise<void> {
    await this.#client.ctdApply(this.#ids, this.#prefix, String(this.#clock()), randomUUID(), token);
  }

  async clear(): Promise<ClearOutcome> {
    try {
      const removed = await this.#client.ctdClear(this.#ids, this.#prefix);
      await this.#readFull();
      return { removed };
    } catch (error) {
      throw answered(error) ? refused(error) : this.#unavailable(error);
    }
  }

  async pick(request: SharedPickRequest): Promise<SharedPickResult> {
    this.#connected();
    const pickId = randomUUID();
    try {
      // An answer lost with the connection is not waited for: the caller decides locally at once.
      const [id, probe] = await Promise.race([
        this.#lost.promise,
        this.#client.ctdPick(
          this.#ids,
          this.#prefix,
          request.mode,
          String(request.at),
          String(Math.max(1, Math.round(request.probeTtlMs))),
          String(request.offset),
          request.model ?? '',
          request.group,
          pickId,
          String(request.probes.length),
          ...request.probes,
          ...request.ready,
        ),
      ]);
      this.#answered();
      return { id: id ?? null, probe: probe === 1 };
    } catch (error) {
      if (answered(error)) throw refused(error);
      // The caller decides locally now; if this pick did land, its use is taken back later.
      if (!notSent(error)) this.#lostPicks.add(pickId);
      throw this.#unavailable(error);
    }
  }

  async #settleLostPicks(): Promise<void> {
    for (const pickId of [...this.#lostPicks]) {
      try {
        await this.#client.ctdUnpick(this.#ids, this.#prefix, pickId);
        this.#lostPicks.delete(pickId);
      } catch {
        return; // still unreachable: tried again at the next reconnection
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#client.status === 'ready') {
      if (this.#inDoubt.size > 0) await this.#settleInDoubt();
      if (this.#lostPicks.size > 0) await this.#settleLostPicks();
    }
    this.#closed = true;
    try {
      if (this.#client.status === 'ready') await this.#client.quit();
      else this.#client.disconnect();
    } catch {
      this.#client.disconnect();
    }
  }
}
