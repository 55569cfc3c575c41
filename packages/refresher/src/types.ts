import type { CredentialInfo, DiscoveredCredential, RefreshMethod, SourceId } from '@ctd/core';
import type { HistoryStore } from '@ctd/history';
import type { SourceAdapter } from '@ctd/scanners';

/** Every way one refresh attempt can end. */
export const REFRESH_STATUSES = [
  'refreshed',
  'refreshed-by-other',
  'not-due',
  'needs_login',
  'failed',
  'not-refreshable',
  'opt-in-required',
] as const;

/**
 * `refreshed`: this call spent the refresh token and wrote the new tokens back; `refreshed-by-other`:
 * another process (the CLI itself, another gateway) had already refreshed, nothing was spent;
 * `not-due`: the CLI would not refresh yet; `needs_login`: the refresh token is dead (the user must
 * log in again, see `relogin`); `failed`: a transient failure outlived the retries (the next run
 * tries again); `not-refreshable`: no refresh is possible (an API key, no refresh token, a retired
 * provider, an adapter that cannot write back); `opt-in-required`: the provider's policy asks for
 * the user's opt-in for this source, and it was not given.
 */
export type RefreshStatus = (typeof REFRESH_STATUSES)[number];

/**
 * What came of refreshing one credential. Secret-free: hashes and masked previews only.
 */
export interface RefreshOutcome {
  readonly credentialId: string;
  readonly source: SourceId;
  readonly status: RefreshStatus;
  /** The access token's expiry after the call (ISO 8601), or null when unknown. */
  readonly expiresAt: string | null;
  /** When the CLI would refresh the credential next (ISO 8601), when known. */
  readonly nextRefreshAt?: string | null | undefined;
  /** SHA-256 hex of the access token now in the store, when known. */
  readonly hash?: string | undefined;
  /** Masked preview of the access token now in the store. */
  readonly preview?: string | undefined;
  /** The provider's error code or ours (`refresh_token_reused`, `network`, `LOCK_TIMEOUT`, …). */
  readonly code?: string | undefined;
  /** What happened, in a sentence, without any token. */
  readonly reason: string;
  /** For `needs_login`: the re-login methods that fix it (the CLI's login, the key page, a pasted key). */
  readonly relogin?: readonly RefreshMethod[] | undefined;
  /** How many refresh requests this call sent (0 when another process had refreshed). */
  readonly calls: number;
}

/** An outcome and, when the store holds a login after the call, that login (its secrets stay in memory). */
export interface RefreshResult {
  readonly outcome: RefreshOutcome;
  /** The credential as the store holds it after the call; undefined when it is gone. */
  readonly credential?: DiscoveredCredential | undefined;
}

/** Retries of transient failures (network errors, 5xx, 429, a lock held too long). */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 3 */
  readonly attempts?: number | undefined;
  /** Wait before the second attempt (ms); doubled for each later one. @default 1000 */
  readonly baseDelayMs?: number | undefined;
  /** Longest wait between attempts (ms). @default 30000 */
  readonly maxDelayMs?: number | undefined;
}

/** Test hooks: called at points where a crash must be recoverable. Never set them in production. */
export interface RefresherHooks {
  /**
   * Called after the provider answered a refresh with new tokens and before they are written back
   * (the answer is journalled first). The crash tests stall here and are killed.
   */
  readonly afterAnswer?: ((credential: CredentialInfo) => Promise<void>) | undefined;
}

/** Options of a {@link Refresher}. */
export interface RefresherOptions {
  /** The sources, each with its refresh spec, lock and write-back. @default `ALL_ADAPTERS` of `@ctd/scanners` */
  readonly adapters?: readonly SourceAdapter[] | undefined;
  /** Environment: HOME and the CLIs' path overrides, the `CTD_*` endpoint overrides, proxies. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Whether the user opted in to using this source's subscription logins from other tools, for
   * logins whose provider asks for it (the same switch as import: `cliSources.<source>.importLogins`).
   * @default nobody opted in
   */
  readonly optedIn?: ((credential: CredentialInfo) => boolean) | undefined;
  /** Where usage and status are recorded (needs a login, active again). Optional. */
  readonly history?: HistoryStore | undefined;
  /**
   * Directory of the refresh journal (hashes only): what was sent and what answered, so a crash
   * between the answer and the write-back is known on the next run, and a dead refresh token is
   * never spent again. @default `cli-token-refresh/` beside the history file
   */
  readonly stateDir?: string | undefined;
  /** Timeout of one refresh request (ms). @default 15000 */
  readonly timeoutMs?: number | undefined;
  /** The whole refresh of one credential, retries included, ends by this deadline (ms). @default 60000 */
  readonly deadlineMs?: number | undefined;
  /** Retries of transient failures. */
  readonly retry?: RetryPolicy | undefined;
  /** Largest answer read from a token endpoint (bytes). @default 64 KiB */
  readonly maxBodyBytes?: number | undefined;
  /** User-Agent of refresh requests. */
  readonly userAgent?: string | undefined;
  /** The clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** Test hooks. */
  readonly hooks?: RefresherHooks | undefined;
}

/** Options of one refresh. */
export interface RefreshOptions {
  /** Refresh now, even when the CLI would not yet (an explicit user request). @default false */
  readonly force?: boolean | undefined;
  /** Cancels the refresh (between steps; a request in flight is aborted). */
  readonly signal?: AbortSignal | undefined;
}
