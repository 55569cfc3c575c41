import type {
  CredentialStatus,
  GetHistoryOutput,
  RefreshInput,
  RefreshOutput,
  TokenDiscoveryClient,
} from '@ctd/service/client';

export type {
  CredentialStatus,
  RefreshOutput,
  StatusOutput,
  TokenDiscoveryClient,
} from '@ctd/service/client';

/** One source the dashboard knows about: shown in the empty state and the settings form. */
export interface SourceInfo {
  /** Source id, e.g. `"example-cli"`. */
  readonly id: string;
  /** Human name, e.g. `"Example CLI"`. */
  readonly displayName: string;
  /** How to log in with that CLI (a sentence or a command). */
  readonly loginHint?: string | undefined;
}

/** One CLI source's settings. */
export interface SourceSettings {
  enabled: boolean;
  priority: number;
  importLogins: boolean;
}

/**
 * The settings the form edits: the plugin / service configuration. Unknown top-level numeric
 * fields (refresh and expiry thresholds, …) are shown as number inputs, so new settings appear
 * without a change here.
 */
export interface SettingsValue {
  scanOnStartup: boolean;
  autoImport: boolean;
  validateTokens: boolean;
  rotationStrategy: string;
  cliSources: Record<string, SourceSettings>;
  [extra: string]: unknown;
}

/** What `getConfig` / `setConfig` answer. */
export interface SettingsSnapshot {
  /** The configuration with defaults applied. */
  readonly config: SettingsValue;
  /** The rotation strategies to offer. */
  readonly strategies?: readonly string[] | undefined;
  /** The sources the configuration governs, in display order. */
  readonly sources?: readonly SourceInfo[] | undefined;
  /** Descriptions of extra fields, keyed by field name (from the schema's `.describe()`). */
  readonly descriptions?: Readonly<Record<string, string>> | undefined;
}

/**
 * The settings half of a dashboard client (the OpenClaw plugin's `tokenDiscovery.getConfig` /
 * `tokenDiscovery.setConfig`, `ctd serve`'s `/api/getConfig` / `/api/setConfig`). Optional: without
 * it the dashboard hides the settings form.
 */
export interface SettingsClient {
  /** The current configuration. */
  getConfig(): Promise<SettingsSnapshot>;
  /** Validates (with the service's zod schema) and saves a configuration; answers what was saved. */
  setConfig(input: { config: SettingsValue }): Promise<SettingsSnapshot>;
}

/** Progress of a refresh method that runs (a CLI login's output, a device code, …). */
export type RefreshProgress =
  | { readonly type: 'output'; readonly line: string }
  | { readonly type: 'open-url'; readonly url: string; readonly code?: string | undefined }
  | { readonly type: 'status'; readonly message: string };

/** Input of {@link RefreshRunner.runRefresh}: the target and the method to run. */
export type RunRefreshInput = RefreshInput & { method: string };

/**
 * A client that can run a refresh method and report its progress while it runs. Optional: with
 * only `refreshToken`, the modal calls `refreshToken({target, method})` and shows its answer.
 */
export interface RefreshRunner {
  /** Runs one method; `onProgress` gets each step; `signal` cancels it. */
  runRefresh(
    input: RunRefreshInput,
    options: { signal: AbortSignal; onProgress: (progress: RefreshProgress) => void },
  ): Promise<RefreshOutput>;
}

/** One time bucket of a credential's usage, as a history record may carry it. */
export interface UsageBucket {
  /** Start of the bucket (ISO 8601). */
  readonly start: string;
  readonly requests: number;
  readonly successes?: number | undefined;
  readonly failures?: number | undefined;
  readonly tokensIn?: number | undefined;
  readonly tokensOut?: number | undefined;
  /** The rotation strategy in force. */
  readonly strategy?: string | undefined;
}

/** A cooldown or refresh on the usage timeline. */
export interface UsageEvent {
  readonly at: string;
  readonly type: 'cooldown' | 'refresh' | (string & {});
  readonly credentialId: string;
  readonly note?: string | undefined;
}

/** The usage history the dashboard draws: per-credential totals, buckets and events. */
export interface UsageData {
  readonly credentials: readonly CredentialStatus[];
  readonly records: GetHistoryOutput['records'];
}

/** Any client the dashboard can use: the six operations, plus settings and a runner when it has them. */
export type DashboardClient = TokenDiscoveryClient & Partial<SettingsClient> & Partial<RefreshRunner>;

/** Whether a client has the settings methods. */
export function hasSettings(client: DashboardClient): client is TokenDiscoveryClient & SettingsClient {
  return typeof client.getConfig === 'function' && typeof client.setConfig === 'function';
}
