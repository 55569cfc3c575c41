import type { CredentialInfo, SourceId } from '@ctd/core';

/** Default warning threshold for tokens that cannot be refreshed (ms): 24 hours. */
export const DEFAULT_EXPIRY_WARNING_MS: number = 24 * 60 * 60 * 1000;

/** The expiry states, best first. */
export const EXPIRY_STATES = ['ok', 'expiring', 'expired', 'invalid', 'needs_login'] as const;

/**
 * `ok`: nothing to do (no expiry, far off, or renewed automatically); `expiring`: ends inside the
 * warning threshold and nothing renews it; `expired`: past its end and nothing renews it;
 * `invalid`: the provider rejected it; `needs_login`: its refresh token is dead, a new login is needed.
 */
export type ExpiryState = (typeof EXPIRY_STATES)[number];

/** What is known about one credential for its expiry. */
export interface ExpiryInput {
  readonly credential: Pick<
    CredentialInfo,
    'id' | 'source' | 'provider' | 'hash' | 'kind' | 'expiresAt' | 'hasRefreshToken'
  > & {
    /** The refresh token's own end of life (ISO 8601), where the store says (e.g. a `refreshTokenExpiresAt`). */
    readonly refreshExpiresAt?: string | null | undefined;
  };
  /** The last live check's status, when there was one (`invalid`, `no_access` count as invalid). */
  readonly validationStatus?: string | undefined;
  /** The refresher found its refresh token dead (or the history says it needs a new login). */
  readonly needsLogin?: boolean | undefined;
  /**
   * Whether the access token is renewed without the user: a refresh token that this tool (auto
   * refresh) or the CLI itself spends. @default `credential.hasRefreshToken`
   */
  readonly renewable?: boolean | undefined;
}

/** The expiry assessment of one credential (secret-free). */
export interface ExpiryAssessment {
  readonly credentialId: string;
  readonly source: SourceId;
  readonly provider: string;
  readonly hash: string;
  readonly state: ExpiryState;
  /** When the access token ends (ISO 8601), or null. */
  readonly expiresAt: string | null;
  /** When the refresh token ends (ISO 8601), where known. */
  readonly refreshExpiresAt: string | null;
  /** When the state will change by itself (e.g. `ok` → `expiring`), in ms since the epoch, or null. */
  readonly changesAt: number | null;
  /** What it means, in a sentence. */
  readonly reason: string;
}

const parse = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
};

const when = (ms: number, now: number): string => {
  const h = Math.abs(ms - now) / 3_600_000;
  const span =
    h >= 48
      ? `${Math.round(h / 24)} days`
      : h >= 1
        ? `${Math.round(h)} h`
        : `${Math.max(1, Math.round(h * 60))} min`;
  return ms > now ? `in ${span}` : `${span} ago`;
};

/**
 * Says whether a credential is fine, expiring, expired, invalid or in need of a new login.
 *
 * A token that is renewed without the user (a refresh token that this tool or its CLI spends) is
 * judged by its refresh token's end of life, where known; any other token by its own expiry, and
 * `expiring` inside `warningMs` of it.
 *
 * @param input - the credential, its last check, whether it needs a login
 * @param now - the clock (ms since the epoch)
 * @param warningMs - the warning threshold (ms) @default 24 h
 */
export function assessExpiry(
  input: ExpiryInput,
  now: number,
  warningMs = DEFAULT_EXPIRY_WARNING_MS,
): ExpiryAssessment {
  const c = input.credential;
  const expires = parse(c.expiresAt);
  const refreshEnds = parse(c.refreshExpiresAt);
  const base = {
    credentialId: c.id,
    source: c.source,
    provider: c.provider,
    hash: c.hash,
    expiresAt: expires === null ? null : new Date(expires).toISOString(),
    refreshExpiresAt: refreshEnds === null ? null : new Date(refreshEnds).toISOString(),
  };
  if (input.needsLogin) {
    return {
      ...base,
      state: 'needs_login',
      changesAt: null,
      reason: 'its refresh token is dead: log in again',
    };
  }
  const v = input.validationStatus;
  if (v === 'invalid' || v === 'no_access') {
    return { ...base, state: 'invalid', changesAt: null, reason: `the provider rejected it (${v})` };
  }
  const renewable = input.renewable ?? c.hasRefreshToken;
  // A renewable login lives as long as its refresh token; an unknown end means no warning.
  const end = renewable ? refreshEnds : expires;
  const what = renewable ? 'its refresh token' : c.kind === 'api_key' ? 'the key' : 'the token';
  if (end === null) {
    return {
      ...base,
      state: 'ok',
      changesAt: null,
      reason: renewable ? 'renewed automatically with its refresh token' : 'no known expiry',
    };
  }
  if (end <= now) {
    return { ...base, state: 'expired', changesAt: null, reason: `${what} expired ${when(end, now)}` };
  }
  if (end - warningMs <= now) {
    return { ...base, state: 'expiring', changesAt: end, reason: `${what} expires ${when(end, now)}` };
  }
  return { ...base, state: 'ok', changesAt: end - warningMs, reason: `${what} expires ${when(end, now)}` };
}

/** An alert: a credential entered a state worth telling (expiring, expired, invalid, needs a login). */
export interface ExpiryAlert extends ExpiryAssessment {
  /** When the alert was raised (ISO 8601). */
  readonly at: string;
}

/** Options of an {@link ExpiryMonitor}. */
export interface ExpiryMonitorOptions {
  /** Warning threshold for tokens nothing renews (ms). @default 24 h */
  readonly warningMs?: number | undefined;
  /** Called once per credential (by id and secret hash) and state. */
  readonly onAlert: (alert: ExpiryAlert) => void;
  /** The clock. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** setTimeout takes at most 2^31−1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Tracks every credential's expiry and raises each alert once: when a credential (by id and
 * secret hash) becomes `expiring`, `expired`, `invalid` or `needs_login`. A credential that
 * crosses a threshold by the clock alone is seen by a timer (unref'd: it never keeps the
 * process alive); a new secret (a re-login, a refresh) starts afresh, so a later expiry of the
 * new token alerts again.
 */
export class ExpiryMonitor {
  readonly #warningMs: number;
  readonly #onAlert: (alert: ExpiryAlert) => void;
  readonly #now: () => number;
  #inputs: readonly ExpiryInput[] = [];
  readonly #alerted = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** @param options - threshold, the alert callback, the clock */
  constructor(options: ExpiryMonitorOptions) {
    this.#warningMs = Math.max(0, options.warningMs ?? DEFAULT_EXPIRY_WARNING_MS);
    this.#onAlert = options.onAlert;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Sets the credentials to track (e.g. after each scan) and raises the alerts due now.
   *
   * @returns the assessment of each credential
   */
  set(inputs: readonly ExpiryInput[]): ExpiryAssessment[] {
    this.#inputs = inputs;
    return this.#check();
  }

  /** The current assessment of each tracked credential. */
  list(): ExpiryAssessment[] {
    const now = this.#now();
    return this.#inputs.map((i) => assessExpiry(i, now, this.#warningMs));
  }

  /** Stops the timer. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #check(): ExpiryAssessment[] {
    clearTimeout(this.#timer);
    const now = this.#now();
    const all = this.#inputs.map((i) => assessExpiry(i, now, this.#warningMs));
    const ids = new Set(all.map((a) => a.credentialId));
    for (const id of this.#alerted.keys()) if (!ids.has(id)) this.#alerted.delete(id);
    for (const a of all) {
      const key = `${a.hash}:${a.state}`;
      if (a.state === 'ok') {
        // Back to fine (refreshed, re-logged in): a later trouble alerts again.
        this.#alerted.delete(a.credentialId);
        continue;
      }
      if (this.#alerted.get(a.credentialId) === key) continue;
      this.#alerted.set(a.credentialId, key);
      if (this.#stopped) continue;
      try {
        this.#onAlert({ ...a, at: new Date(now).toISOString() });
      } catch {
        // A failing listener must not stop the others' alerts.
      }
    }
    const next = Math.min(...all.map((a) => a.changesAt ?? Infinity));
    if (!this.#stopped && Number.isFinite(next)) {
      this.#timer = setTimeout(() => this.#check(), Math.min(MAX_TIMER_MS, Math.max(0, next - now) + 1));
      this.#timer.unref();
    }
    return all;
  }
}
