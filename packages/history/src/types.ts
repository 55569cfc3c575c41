import type { CtdErrorCode } from '@ctd/core';
import type { BackendHealth, SharedPickRequest, SharedPickResult } from './driver.ts';
import type {
  CooldownCause,
  CredentialNeed,
  CredentialStatus,
  HistoryFile,
  ValidationSummary,
} from './schema.ts';

/** The identity of a credential as the history knows it: never the secret, only its hash. */
export interface CredentialRef {
  /** Stable id (survives a token refresh). */
  readonly id: string;
  /** SHA-256 hex of the current secret. */
  readonly hash: string;
  readonly source: string;
  readonly provider: string;
}

/** A cooldown that applies to one model of a credential. Times are epoch milliseconds. */
export interface ModelCooldown {
  readonly until: number;
  readonly cause: CooldownCause;
  readonly setAt: number;
}

/**
 * One credential's history as held in memory. Times are epoch milliseconds (`null` when unknown);
 * the file and exports use ISO 8601 (see `HistoryRecord`). Entries are live views: read them, never
 * change them; the store's methods are the only writers.
 */
export interface HistoryEntry extends CredentialRef {
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly lastUsed: number | null;
  readonly usageCount: number;
  readonly successes: number;
  readonly failures: number;
  /** Failures since the last success. */
  readonly consecutiveFailures: number;
  readonly lastSuccessAt: number | null;
  readonly lastFailureAt: number | null;
  /** Moving average of reported request latency (ms), or null before the first report. */
  readonly latencyMs: number | null;
  readonly status: CredentialStatus;
  readonly statusReason: string | null;
  readonly statusSetAt: number | null;
  /** The credential may not be used before this time (all models). */
  readonly cooldownUntil: number | null;
  readonly cooldownCause: CooldownCause | null;
  /** When the credential-wide cooldown was last set or cleared. */
  readonly cooldownSetAt: number | null;
  /** Cooldowns that apply to one model only, by model name. */
  readonly modelCooldowns: Readonly<Record<string, ModelCooldown>>;
  /** What the credential needs before it is trusted again, if anything. */
  readonly needs: CredentialNeed | null;
  readonly needsReason: string | null;
  readonly needsSetAt: number | null;
  readonly lastValidation: ValidationSummary | null;
  /** When the access token expires, when known. */
  readonly expiresAt: number | null;
}

/** The outcome of one use of a credential, as the history counts it. */
export interface UsageResult {
  /** Whether the request succeeded. Errors that are not the credential's fault should not be reported. */
  readonly ok: boolean;
  /** When the outcome was observed (epoch ms). */
  readonly at: number;
  /** Request latency in milliseconds, when measured. */
  readonly latencyMs?: number | undefined;
}

/** A change of cooldown. `until: null` clears it. */
export interface CooldownChange {
  readonly until: number | null;
  readonly cause: CooldownCause | null;
  /** When the change was decided (epoch ms); the later change wins between processes. */
  readonly at: number;
  /** Limit the cooldown to this model; without it the cooldown covers the whole credential. */
  readonly model?: string | undefined;
}

/** A scan's sighting of a credential. */
export interface Sighting {
  /** When the scan saw it (epoch ms). */
  readonly at: number;
  /** When its access token expires (epoch ms), or null when unknown or never. */
  readonly expiresAt: number | null;
}

/** Something the store noticed and dealt with, for the caller to show. Never holds a secret. */
export interface HistoryNotice {
  /** Stable code, e.g. `INVALID_JSON` (a corrupt file was moved aside) or `INSECURE_PERMISSIONS`. */
  readonly code: CtdErrorCode;
  readonly message: string;
  /** The file concerned. */
  readonly path?: string | undefined;
  /** Where a corrupt file was moved to. */
  readonly movedTo?: string | undefined;
  /** When it happened (epoch ms). */
  readonly at: number;
}

/**
 * A usage-history store: one entry per credential, keyed by its stable id. Reads and the record
 * methods are synchronous and in memory; changes are batched and made durable by `flush()` (or by
 * the store on its own schedule). A backend must merge concurrent writers without losing updates.
 * The rotator only uses this interface, so a shared backend for several hosts can be added later.
 */
export interface HistoryStore {
  /** Where the store keeps its data (a file path, or a description). */
  readonly location: string;
  /** Changes whenever entries are added or removed (not when they are updated). */
  readonly revision: number;
  /**
   * Optional: changes whenever any entry changes (a record, a merge of other writers' changes, a
   * clear), so a reader can keep an index of the entries and re-check it only then.
   */
  readonly changes?: number | undefined;
  /** Problems the store met and dealt with (a corrupt file moved aside, permissions tightened). */
  readonly notices: readonly HistoryNotice[];
  /** Changes recorded but not yet durable. */
  readonly pendingEvents: number;

  /** The entry of a credential, or undefined. The object is live: it reflects later changes. */
  get(id: string): HistoryEntry | undefined;
  /** Every entry, in id order. */
  list(): HistoryEntry[];
  /** Returns the entry of a credential, creating an empty active one when there is none. */
  ensure(ref: CredentialRef, at?: number): HistoryEntry;
  /** Counts one use (the moment a credential was handed out). */
  recordUse(id: string, at: number): void;
  /** Counts a success or a failure, and a latency sample. */
  recordResult(id: string, result: UsageResult): void;
  /** Sets or clears a cooldown (credential-wide, or for one model). */
  setCooldown(id: string, change: CooldownChange): void;
  /** Sets the status, with a reason. */
  setStatus(id: string, status: CredentialStatus, reason: string | null, at: number): void;
  /** Marks the credential as needing a re-validation or a refresh (`null` clears it). */
  setNeeds(id: string, needs: CredentialNeed | null, reason: string | null, at: number): void;
  /** Keeps the result of a live check (the later check wins). */
  recordValidation(id: string, validation: ValidationSummary): void;
  /** Records a scan's sighting: first and last seen, the current hash, expiry. */
  observe(ref: CredentialRef, sighting: Sighting): void;

  /** Makes every change recorded before the call durable, and picks up other writers' changes. */
  flush(): Promise<void>;
  /**
   * Runs `fn` on the freshest shared state, with other writers held off, and makes its changes
   * durable before resolving. Use it when several processes must not decide on stale data
   * (e.g. two gateways both picking the same least-used credential).
   */
  transaction<T>(fn: () => T): Promise<T>;
  /** Deletes one credential's history, or all of it; resolves with how many entries were removed. */
  clear(id?: string): Promise<number>;
  /** The whole history as JSON (hashes, counts, statuses: never secrets). */
  exportJson(): HistoryFile;
  /** Flushes and stops background work. The store cannot be used afterwards. */
  close(): Promise<void>;

  /** Optional: true when a shared backend decides rotation steps on the server (`pickShared`). */
  readonly sharesPicks?: boolean | undefined;
  /** Optional: one rotation step decided on the server, the use recorded there. */
  pickShared?(request: SharedPickRequest): Promise<SharedPickResult>;
  /** Optional: whether a shared backend is reachable now (`degraded`: working from the last known state). */
  readonly health?: BackendHealth | undefined;
}
