import type { CheckedLocation, DiscoveredCredential, ScanIssue, SourceId } from '@ctd/core';

/** Everything an adapter may look at. Built once per scan by {@link createScanContext}. */
export interface ScanContext {
  /** The user's home directory (from `HOME`, so tests can point it at a temp dir). */
  readonly home: string;
  /** The environment to read variables and path overrides from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Host name, used where a CLI derives an encryption key from it (Gemini CLI). */
  readonly hostname: string;
  /** Login name, used where a CLI derives an encryption key from it (Gemini CLI). */
  readonly username: string;
  /** Credential files larger than this are reported, not read. */
  readonly maxFileBytes: number;
  /** The scan's clock. */
  readonly now: Date;
}

/** The format of a store file, as far as the contract tests and `--explain` care. */
export type StoreFileFormat = 'json' | 'toml' | 'dotenv' | 'encrypted';

/** A file an adapter reads, resolved for the current context. */
export interface StoreFile {
  readonly path: string;
  readonly format: StoreFileFormat;
  /** Whether this file may hold a credential (as opposed to settings only). */
  readonly holdsSecrets: boolean;
  /** A size cap for this file when it differs from the context's (some state files grow large). */
  readonly maxBytes?: number;
}

/** What one adapter found. */
export interface SourceScanResult {
  readonly source: SourceId;
  readonly credentials: DiscoveredCredential[];
  readonly issues: ScanIssue[];
  readonly locations: CheckedLocation[];
}

/**
 * How a CLI serializes concurrent refreshes of its store, so the refresher can take the same lock.
 * `o-excl`: a lock file created with O_EXCL (Qwen); `flock`: an advisory lock on a file (kimi-cli);
 * `reload-compare`: no lock, re-read and compare before writing (Codex); `none`: no protocol known.
 */
export interface LockProtocol {
  readonly kind: 'o-excl' | 'flock' | 'reload-compare' | 'in-process' | 'none';
  /** The lock file, when the protocol has one. */
  readonly lockPath?: string;
  /** A lock older than this is stale and may be broken (ms). */
  readonly staleAfterMs?: number;
}

/** New tokens from a refresh, to be written back into the CLI's own store. */
export interface RefreshedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Absolute expiry in ms since the epoch. */
  readonly expiresAtMs?: number;
}

/**
 * One credential source: a CLI's store (or the environment). Each lives in its own file under
 * `adapters/` and passes the shared contract suite. The optional members are for the refresher.
 */
export interface SourceAdapter {
  /** The source id. */
  readonly id: SourceId;
  /** Human name of the CLI. */
  readonly displayName: string;
  /** How a user logs in to this CLI, shown when nothing is found. */
  readonly loginHint: string;
  /** The files this adapter reads, resolved for the context (for `--explain` and contract tests). */
  files(ctx: ScanContext): StoreFile[];
  /** Reads the store. Never throws for bad input: problems become issues. */
  scan(ctx: ScanContext): Promise<SourceScanResult>;
  /** The CLI's lock protocol for its OAuth store, when it has OAuth logins. */
  lockProtocol?(ctx: ScanContext): LockProtocol;
  /**
   * Writes refreshed tokens back in the CLI's own format, atomically, keeping unknown fields and
   * the file mode. Only adapters whose CLI refreshes OAuth tokens implement it.
   */
  writeBack?(ctx: ScanContext, credential: DiscoveredCredential, tokens: RefreshedTokens): Promise<void>;
}
