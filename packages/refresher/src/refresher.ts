import { dirname, join } from 'node:path';
import {
  type CredentialInfo,
  type DiscoveredCredential,
  type RefreshMethod,
  redact,
  toCtdError,
} from '@ctd/core';
import { withExclusiveLockFile } from '@ctd/core/node';
import { resolveHistoryPath } from '@ctd/history';
import {
  ALL_ADAPTERS,
  adapterById,
  createScanContext,
  type OAuthRefreshSpec,
  type RefreshedTokens,
  type ScanContext,
  type SourceAdapter,
} from '@ctd/scanners';
import { sendRefreshRequest } from './http.ts';
import { type JournalEntry, RefreshJournal } from './journal.ts';
import type {
  RefresherOptions,
  RefreshOptions,
  RefreshOutcome,
  RefreshResult,
  RefreshStatus,
} from './types.ts';

/** Default timeout of one refresh request (ms). */
export const DEFAULT_REFRESH_TIMEOUT_MS = 15_000;
/** Default deadline of one credential's refresh, retries included (ms). */
export const DEFAULT_REFRESH_DEADLINE_MS = 60_000;
/** Default number of attempts at a transient failure, the first included. */
export const DEFAULT_REFRESH_ATTEMPTS = 3;
/** Token endpoints answer a few hundred bytes; anything near this is not a token answer. */
export const DEFAULT_REFRESH_MAX_BODY_BYTES: number = 64 * 1024;
/** Name of the journal directory beside the history file. */
export const REFRESH_STATE_DIR_NAME = 'cli-token-refresh';

const DEFAULT_USER_AGENT = 'cli-token-discovery-refresher';
/**
 * Our per-credential lock is broken at once when its holder died (`pid`), or after this long
 * even when it lives (longer than any refresh: the deadline plus the CLI's lock wait).
 */
const OWN_LOCK_STALE_MS = 5 * 60_000;

/** The event a {@link Refresher} dispatches: `refreshed`, `needs_login` and `outcome` (every outcome). */
export class RefreshEvent extends Event {
  /** What came of the refresh (secret-free). */
  readonly outcome: RefreshOutcome;
  /**
   * The credential as its store holds it after the call, with its (non-enumerable) secrets, so the
   * caller can hand the new access token to a gateway. Never log it whole.
   */
  readonly credential: DiscoveredCredential | undefined;

  constructor(type: 'refreshed' | 'needs_login' | 'outcome', result: RefreshResult) {
    super(type);
    this.outcome = result.outcome;
    this.credential = result.credential;
  }
}

/** The names of the events a {@link Refresher} dispatches. */
export type RefreshEventType = 'refreshed' | 'needs_login' | 'outcome';

/** What one locked attempt ended with: a final result, or a transient failure worth retrying. */
type Attempt =
  | { readonly kind: 'done'; readonly result: RefreshResult }
  | { readonly kind: 'transient'; readonly code: string; readonly reason: string; readonly calls: number };

/** What we held before taking the lock: the hashes of the tokens the caller's scan saw. */
interface Held {
  readonly accessHash: string;
  readonly refreshHash: string | undefined;
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

function reloginMethods(credential: CredentialInfo): RefreshMethod[] {
  return credential.refreshMethods.filter((m) => m.type !== 'oauth-refresh');
}

/** The history's reference to a credential (its `CredentialRef`): the four fields it keys on. */
function historyRef(credential: Pick<CredentialInfo, 'id' | 'hash' | 'source' | 'provider'>) {
  return {
    id: credential.id,
    hash: credential.hash,
    source: credential.source,
    provider: credential.provider,
  };
}

function describeMethods(methods: readonly RefreshMethod[]): string {
  return methods
    .map((m) => {
      if (m.type === 'cli-login') return `run \`${m.command}\``;
      if (m.type === 'key-page') return `create a key at ${m.url}`;
      if (m.type === 'paste-key') return 'paste a key';
      if (m.type === 'browser-login') return m.url ? `log in at ${m.url}` : 'log in in the browser';
      return m.description;
    })
    .join(', or ');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Refreshes CLI OAuth logins the way each CLI does itself, without ever logging the CLI out:
 *
 * - the provider's policy first (a login whose provider asks for an opt-in is refreshed only when
 *   `optedIn` says the user gave it);
 * - then, under the CLI's own lock (`adapter.withLock`), the store is read again: when its tokens
 *   changed since the caller's scan, another process refreshed and its result is used (nothing is
 *   spent); otherwise the CLI's own request is sent (`adapter.oauthRefresh`), the answer parsed,
 *   and the new tokens written back in the CLI's format (`adapter.writeBack`), all inside the lock;
 * - concurrent calls for one credential in this process share one refresh;
 * - a permanent failure (a reused, expired or revoked refresh token) marks the login `needs_login`
 *   in the history with the re-login methods that fix it, and that refresh token is never sent
 *   again; a transient one is retried with backoff, up to a deadline;
 * - a crash between the provider's answer and the write-back is recovered on the next run from a
 *   journal of hashes (for a rotating token the login is then dead: `needs_login`, zero calls).
 *
 * No token is ever logged, thrown or returned: outcomes carry hashes and masked previews.
 *
 * @example
 * const refresher = new Refresher({ env: process.env, optedIn: (c) => settings[c.source]?.importLogins });
 * refresher.addEventListener('refreshed', (e) => reimport((e as RefreshEvent).credential));
 * const outcome = await refresher.refresh(credential);
 */
export class Refresher extends EventTarget {
  readonly #adapters: readonly SourceAdapter[];
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #optedIn: (credential: CredentialInfo) => boolean;
  readonly #journal: RefreshJournal;
  readonly #now: () => Date;
  readonly #options: RefresherOptions;
  readonly #inFlight = new Map<string, Promise<RefreshResult>>();

  /** @param options - adapters, environment, opt-in predicate, history, journal directory, limits */
  constructor(options: RefresherOptions = {}) {
    super();
    this.#options = options;
    this.#adapters = options.adapters ?? ALL_ADAPTERS;
    this.#env = options.env ?? process.env;
    this.#optedIn = options.optedIn ?? (() => false);
    this.#now = options.now ?? (() => new Date());
    this.#journal = new RefreshJournal(
      options.stateDir ?? join(dirname(resolveHistoryPath({ env: this.#env })), REFRESH_STATE_DIR_NAME),
    );
  }

  /** The journal directory (hashes only). */
  get stateDir(): string {
    return this.#journal.dir;
  }

  /**
   * Refreshes one credential if it is due (or `force`), and says what came of it. Never throws for
   * a provider's or a store's failure: those are outcomes.
   *
   * @param credential - a credential from a scan (with its secrets, so a refresh by another process
   *   since that scan is recognised by its refresh token too; a secret-free view works by its hash)
   * @param options - `force` to refresh before the CLI would, and a cancellation signal
   */
  async refresh(credential: CredentialInfo, options: RefreshOptions = {}): Promise<RefreshOutcome> {
    return (await this.refreshWithCredential(credential, options)).outcome;
  }

  /**
   * Same as {@link Refresher.refresh}, also giving the credential as its store holds it afterwards
   * (for the caller that hands the new access token on, e.g. to a gateway).
   *
   * @param credential - a credential from a scan
   * @param options - `force` and a cancellation signal
   */
  refreshWithCredential(credential: CredentialInfo, options: RefreshOptions = {}): Promise<RefreshResult> {
    // One refresh per credential at a time in this process: later callers share the one running.
    const running = this.#inFlight.get(credential.id);
    if (running) return running;
    const work = this.#run(credential, options)
      .then((result) => {
        this.#emit(result);
        return result;
      })
      .finally(() => {
        this.#inFlight.delete(credential.id);
      });
    this.#inFlight.set(credential.id, work);
    return work;
  }

  /**
   * Listens to `refreshed` (new tokens are in the store, by this call or another process),
   * `needs_login` (the login is dead) or `outcome` (every outcome).
   *
   * @returns a function that removes the listener
   */
  on(type: RefreshEventType, listener: (event: RefreshEvent) => void): () => void {
    const fn = (e: Event) => listener(e as RefreshEvent);
    this.addEventListener(type, fn);
    return () => this.removeEventListener(type, fn);
  }

  /**
   * When the CLI would refresh this credential (ms since the epoch), or null when it cannot be
   * refreshed or cannot tell.
   *
   * @param credential - a credential from a scan
   */
  refreshAt(credential: CredentialInfo): number | null {
    const adapter = adapterById(credential.source, this.#adapters);
    const spec = this.#spec(adapter, credential);
    return typeof spec === 'string' ? null : spec.refreshAt(credential as DiscoveredCredential);
  }

  #emit(result: RefreshResult): void {
    const status = result.outcome.status;
    if (status === 'refreshed' || status === 'refreshed-by-other') {
      this.dispatchEvent(new RefreshEvent('refreshed', result));
    }
    if (status === 'needs_login') this.dispatchEvent(new RefreshEvent('needs_login', result));
    this.dispatchEvent(new RefreshEvent('outcome', result));
  }

  /** The credential's refresh spec, or why it has none. */
  #spec(adapter: SourceAdapter | undefined, credential: CredentialInfo): OAuthRefreshSpec | string {
    if (!adapter) return `no adapter for the source "${credential.source}"`;
    if (credential.kind !== 'oauth' || !credential.hasRefreshToken) {
      return credential.kind === 'api_key'
        ? 'an API key is not refreshed; create a new one when it stops working'
        : 'this login has no refresh token';
    }
    if (adapter.providers[credential.provider]?.oauthRefresh === false) {
      return `${credential.provider} no longer refreshes these logins (its OAuth service was retired); the stored refresh token is not spent`;
    }
    if (!adapter.oauthRefresh || !adapter.withLock || !adapter.writeBack) {
      return `${adapter.displayName} logins are not refreshed by this tool yet (the CLI refreshes its own login when used)`;
    }
    return adapter.oauthRefresh(credential) ?? `${adapter.displayName} cannot refresh this login`;
  }

  #outcome(
    credential: CredentialInfo,
    status: RefreshStatus,
    reason: string,
    extra: Partial<Omit<RefreshOutcome, 'credentialId' | 'source' | 'status' | 'reason'>> = {},
  ): RefreshOutcome {
    const expiresAt = credential.expiresAt;
    return {
      credentialId: credential.id,
      source: credential.source,
      status,
      expiresAt,
      hash: credential.hash,
      preview: credential.preview,
      reason,
      calls: 0,
      ...extra,
    };
  }

  async #run(credential: CredentialInfo, options: RefreshOptions): Promise<RefreshResult> {
    const keep = credential as DiscoveredCredential;
    const adapter = adapterById(credential.source, this.#adapters);
    // What cannot be refreshed at all is said first: an opt-in would change nothing for it.
    const spec = this.#spec(adapter, credential);
    if (typeof spec === 'string' || !adapter) {
      return {
        outcome: this.#outcome(credential, 'not-refreshable', typeof spec === 'string' ? spec : ''),
        credential: keep,
      };
    }
    if (credential.policy.requiresOptIn && !this.#optedIn(credential)) {
      return {
        outcome: this.#outcome(
          credential,
          'opt-in-required',
          `${credential.policy.note} (as of ${credential.policy.asOf}); it is refreshed only with the user's opt-in for ${credential.source}`,
        ),
        credential: keep,
      };
    }
    if (!options.force) {
      const at = spec.refreshAt(keep);
      if (at === null || at > this.#now().getTime()) {
        return {
          outcome: this.#outcome(
            credential,
            'not-due',
            at === null
              ? 'the CLI would not refresh it: its expiry is unknown'
              : `the CLI would refresh it at ${iso(at)}`,
            { nextRefreshAt: iso(at) },
          ),
          credential: keep,
        };
      }
    }
    const held: Held = { accessHash: credential.hash, refreshHash: keep.refreshSecret?.hash };
    const retry = this.#options.retry ?? {};
    const attempts = Math.max(1, retry.attempts ?? DEFAULT_REFRESH_ATTEMPTS);
    const baseDelay = Math.max(0, retry.baseDelayMs ?? 1_000);
    const maxDelay = Math.max(baseDelay, retry.maxDelayMs ?? 30_000);
    const deadline = Date.now() + (this.#options.deadlineMs ?? DEFAULT_REFRESH_DEADLINE_MS);
    let calls = 0;
    let last: { code: string; reason: string } = { code: 'INTERNAL', reason: 'no attempt was made' };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (options.signal?.aborted) {
        last = { code: 'CANCELLED', reason: 'the refresh was cancelled' };
        break;
      }
      const r = await this.#attempt(adapter, credential, held, options, deadline);
      if (r.kind === 'done') {
        const outcome = { ...r.result.outcome, calls: r.result.outcome.calls + calls };
        return { ...r.result, outcome };
      }
      calls += r.calls;
      last = r;
      const delay = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
      if (attempt === attempts || Date.now() + delay >= deadline) break;
      await sleep(delay, options.signal);
    }
    // A transient failure outlived its retries: the token is untouched (or its fate is journalled),
    // the next run tries again.
    this.#history((h, at) => {
      h.ensure(historyRef(credential), at);
      h.setNeeds(credential.id, 'refresh', `the last refresh failed: ${last.reason}`, at);
    });
    return {
      outcome: this.#outcome(credential, 'failed', last.reason, { code: last.code, calls }),
      credential: keep,
    };
  }

  /** Records the tokens another process put in the store: the history follows the new hash. */
  #observed(credential: DiscoveredCredential): void {
    const expires = credential.expiresAt ? Date.parse(credential.expiresAt) : null;
    this.#history((h, at) => {
      const ref = historyRef(credential);
      h.ensure(ref, at);
      h.observe(ref, { at, expiresAt: expires !== null && Number.isFinite(expires) ? expires : null });
      if (h.get(credential.id)?.needs === 'refresh') h.setNeeds(credential.id, null, null, at);
    });
  }

  #history(fn: (h: NonNullable<RefresherOptions['history']>, at: number) => void): void {
    const h = this.#options.history;
    if (!h) return;
    try {
      fn(h, this.#now().getTime());
    } catch {
      // The history is a record, not the result: a closed or read-only store does not undo a refresh.
    }
  }

  async #attempt(
    adapter: SourceAdapter,
    credential: CredentialInfo,
    held: Held,
    options: RefreshOptions,
    deadline: number,
  ): Promise<Attempt> {
    const lockAdapter = adapter as Required<Pick<SourceAdapter, 'withLock'>>;
    const ctx = createScanContext({ env: this.#env, adapters: this.#adapters, now: this.#now() });
    let calls = 0;
    try {
      // Our own cross-process lock first (several gateways or `ctd` runs must not spend one token
      // chain twice, even where the CLI locks only inside its own process), then the CLI's lock.
      // Always in this order; the CLI never takes ours, so the two cannot deadlock.
      const ownLock = await this.#journal.lockPath(credential.id);
      return await withExclusiveLockFile(
        ownLock,
        { timeoutMs: Math.max(0, deadline - Date.now()), staleAfterMs: OWN_LOCK_STALE_MS, stale: 'pid' },
        () =>
          lockAdapter.withLock<Attempt>(ctx, credential, async () => {
            const r = await this.#locked(adapter, ctx, credential, held, options, deadline);
            calls = r.kind === 'transient' ? r.calls : 0;
            return r;
          }),
      );
    } catch (error) {
      const e = toCtdError(error);
      // A lock held too long by another refresher is worth waiting for; anything else is not.
      if (e.code === 'LOCK_TIMEOUT') return { kind: 'transient', code: e.code, reason: e.message, calls };
      return {
        kind: 'done',
        result: {
          outcome: this.#outcome(credential, 'failed', this.#clean(e.message, credential), {
            code: e.code,
            calls,
          }),
          credential: credential as DiscoveredCredential,
        },
      };
    }
  }

  /** Removes any token of the credential from a message (providers and file systems may quote them). */
  #clean(text: string, ...credentials: (CredentialInfo | RefreshedTokens | undefined)[]): string {
    const secrets: string[] = [];
    for (const c of credentials) {
      if (!c) continue;
      if ('secret' in c) {
        const d = c as DiscoveredCredential;
        secrets.push(d.secret.reveal());
        if (d.refreshSecret) secrets.push(d.refreshSecret.reveal());
      }
      if ('accessToken' in c) {
        secrets.push(c.accessToken);
        if (c.refreshToken) secrets.push(c.refreshToken);
        if (c.idToken) secrets.push(c.idToken);
      }
    }
    return redact(text, secrets);
  }

  async #rescan(
    adapter: SourceAdapter,
    ctx: ScanContext,
    id: string,
  ): Promise<DiscoveredCredential | undefined> {
    const scanned = await adapter.scan(ctx);
    return scanned.credentials.find((c) => c.id === id);
  }

  #needsLogin(credential: DiscoveredCredential, code: string, reason: string, calls: number): RefreshResult {
    const relogin = reloginMethods(credential);
    const fix = relogin.length ? ` Fix: ${describeMethods(relogin)}.` : '';
    this.#history((h, at) => {
      h.ensure(historyRef(credential), at);
      h.setStatus(credential.id, 'invalid', `needs login (${code}): ${reason}.${fix}`, at);
      h.setNeeds(credential.id, null, null, at);
    });
    return {
      outcome: this.#outcome(credential, 'needs_login', reason, { code, relogin, calls }),
      credential,
    };
  }

  /** One attempt, inside the CLI's lock: re-read, decide, spend at most one refresh token, write back. */
  async #locked(
    adapter: SourceAdapter,
    ctx: ScanContext,
    credential: CredentialInfo,
    held: Held,
    options: RefreshOptions,
    deadline: number,
  ): Promise<Attempt> {
    const done = (result: RefreshResult): Attempt => ({ kind: 'done', result });
    // The store is the truth: another process (the CLI itself, another gateway) may have refreshed
    // since the caller's scan, or the user may have logged out.
    const fresh = await this.#rescan(adapter, ctx, credential.id);
    if (!fresh) {
      const gone = credential as DiscoveredCredential;
      return done(
        this.#needsLogin(
          gone,
          'LOGIN_GONE',
          'the store no longer holds this login (logged out, or the CLI removed it)',
          0,
        ),
      );
    }
    const spec = this.#spec(adapter, fresh);
    if (typeof spec === 'string' || !fresh.refreshSecret) {
      return done({
        outcome: this.#outcome(
          fresh,
          'not-refreshable',
          typeof spec === 'string' ? spec : 'no refresh token',
        ),
        credential: fresh,
      });
    }
    const refreshHash = fresh.refreshSecret.hash;
    const journal = await this.#journal.read(fresh.id);
    if (journal.dead?.refreshHash === refreshHash) {
      // The provider already declared this refresh token dead: never send it again.
      return done(this.#needsLogin(fresh, journal.dead.code, journal.dead.reason, 0));
    }
    const now = this.#now().getTime();
    const changed =
      fresh.hash !== held.accessHash || (held.refreshHash !== undefined && held.refreshHash !== refreshHash);
    if (changed) {
      const at = spec.refreshAt(fresh);
      const due = at !== null && at <= now;
      if (options.force || !due) {
        this.#observed(fresh);
        return done({
          outcome: this.#outcome(
            fresh,
            'refreshed-by-other',
            'the store already holds newer tokens (refreshed by another process); nothing was spent',
            {
              nextRefreshAt: iso(at),
            },
          ),
          credential: fresh,
        });
      }
      // Replaced by a login that is itself due: refresh that one.
    }
    const pending = journal.pending;
    if (pending && pending.refreshHash === refreshHash && pending.accessHash === fresh.hash) {
      // An earlier run spent this refresh token and never wrote the answer back (it was killed).
      if (spec.rotating && pending.phase === 'received') {
        const reason =
          'an earlier refresh received new tokens but was stopped before writing them back; this refresh token is spent';
        await this.#journal.write({
          ...journal,
          pending: null,
          dead: { refreshHash, code: 'ANSWER_LOST', reason, at: now },
        });
        return done(this.#needsLogin(fresh, 'ANSWER_LOST', reason, 0));
      }
      // `sent` (its fate unknown) or a token that does not rotate: one more try; the provider decides.
    }
    if (Date.now() >= deadline)
      return { kind: 'transient', code: 'DEADLINE', reason: 'the refresh deadline passed', calls: 0 };

    let request: ReturnType<OAuthRefreshSpec['request']>;
    try {
      request = spec.request(ctx, fresh);
    } catch (error) {
      const e = toCtdError(error);
      return done({
        outcome: this.#outcome(fresh, 'failed', this.#clean(e.message, fresh), { code: e.code }),
        credential: fresh,
      });
    }
    const entry = (p: JournalEntry['pending']): JournalEntry => ({ ...journal, pending: p, dead: null });
    await this.#journal.write(entry({ refreshHash, accessHash: fresh.hash, phase: 'sent', at: now }));
    const http = await sendRefreshRequest(request, {
      env: this.#env,
      timeoutMs: Math.max(
        1,
        Math.min(this.#options.timeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS, deadline - Date.now()),
      ),
      maxBodyBytes: this.#options.maxBodyBytes ?? DEFAULT_REFRESH_MAX_BODY_BYTES,
      userAgent: this.#options.userAgent ?? DEFAULT_USER_AGENT,
      signal: options.signal,
    });
    if (http.kind === 'failure') {
      // Whether the provider got it is unknown: the journal keeps `sent`.
      return { kind: 'transient', code: 'NETWORK', reason: `${http.endpoint}: ${http.reason}`, calls: 1 };
    }
    const answer = spec.parse(http.status, http.json, this.#now());
    if (!answer.ok) {
      const reason = this.#clean(answer.reason, fresh);
      if (answer.permanent) {
        await this.#journal.write({
          ...journal,
          pending: null,
          dead: { refreshHash, code: answer.code, reason, at: this.#now().getTime() },
        });
        return done(this.#needsLogin(fresh, answer.code, reason, 1));
      }
      // An error answer did not rotate anything; an unreadable success may have (the journal
      // keeps `sent` then, and the next try lets the provider say).
      if (http.status < 200 || http.status > 299) await this.#journal.write(entry(null));
      return { kind: 'transient', code: answer.code, reason, calls: 1 };
    }
    const tokens = answer.tokens;
    // Journalled before the write-back: from here on a crash leaves a known-spent token. Best
    // effort: when the journal cannot be written (a full disk), the write-back matters more.
    await this.#journal
      .write(entry({ refreshHash, accessHash: fresh.hash, phase: 'received', at: this.#now().getTime() }))
      .catch(() => {});
    await this.#options.hooks?.afterAnswer?.(fresh);
    try {
      await (adapter.writeBack as NonNullable<SourceAdapter['writeBack']>).call(adapter, ctx, fresh, tokens);
    } catch (error) {
      const e = toCtdError(error);
      const why = this.#clean(e.message, fresh, tokens);
      if (spec.rotating) {
        const reason = `the new tokens could not be written back (${why}); the old refresh token is spent`;
        await this.#journal.write({
          ...journal,
          pending: null,
          dead: { refreshHash, code: 'WRITE_BACK_FAILED', reason, at: this.#now().getTime() },
        });
        return done(this.#needsLogin(fresh, 'WRITE_BACK_FAILED', reason, 1));
      }
      await this.#journal.write(entry(null));
      return done({
        outcome: this.#outcome(fresh, 'failed', `the new tokens could not be written back: ${why}`, {
          code: e.code,
          calls: 1,
        }),
        credential: fresh,
      });
    }
    // A leftover `received` entry names the old tokens, so a failure to clear it is harmless.
    await this.#journal.write(entry(null)).catch(() => {});
    const after = (await this.#rescan(adapter, ctx, fresh.id)) ?? fresh;
    const expiresMs = tokens.expiresAtMs ?? (after.expiresAt ? Date.parse(after.expiresAt) : null);
    this.#history((h, at) => {
      const ref = historyRef(after);
      h.ensure(ref, at);
      h.observe(ref, { at, expiresAt: expiresMs !== null && Number.isFinite(expiresMs) ? expiresMs : null });
      h.setNeeds(after.id, null, null, at);
      h.setStatus(after.id, 'active', 'refreshed', at);
    });
    const next = spec.refreshAt(after);
    return done({
      outcome: this.#outcome(
        after,
        'refreshed',
        `refreshed and written back to ${adapter.displayName}'s store`,
        {
          expiresAt: iso(expiresMs),
          nextRefreshAt: iso(next),
          calls: 1,
        },
      ),
      credential: after,
    });
  }
}

/**
 * Refreshes one credential with a one-off {@link Refresher} (see there for the protocol).
 *
 * @param credential - a credential from a scan
 * @param options - the refresher's options plus `force` and `signal`
 */
export function refreshCredential(
  credential: CredentialInfo,
  options: RefresherOptions & RefreshOptions = {},
): Promise<RefreshOutcome> {
  return new Refresher(options).refresh(credential, options);
}
