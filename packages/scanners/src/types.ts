import type {
  CheckedLocation,
  CredentialInfo,
  CredentialKind,
  DiscoveredCredential,
  PolicyNote,
  ProviderId,
  ScanIssue,
  SourceId,
} from '@ctd/core';

/** Everything an adapter may look at. Built once per scan by {@link createScanContext}. */
export interface ScanContext {
  /** The user's home directory (from `HOME`, so tests can point it at a temp dir). */
  readonly home: string;
  /** The environment to read variables and path overrides from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Host name, used where a CLI derives an encryption key from it. */
  readonly hostname: string;
  /** Login name, used where a CLI derives an encryption key from it. */
  readonly username: string;
  /** Credential files larger than this are reported, not read. */
  readonly maxFileBytes: number;
  /** The scan's clock. */
  readonly now: Date;
  /**
   * The adapter list of the scan: facts about a provider that an adapter does not state itself
   * (a key page, a login policy) come from the adapter that does. @default the built-in list
   */
  readonly adapters?: readonly SourceAdapter[];
  /** Read the OS keychain too (opt-in: it may prompt). @default false */
  readonly scanKeychains?: boolean;
  /** The platform whose keychain to read. @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** The working directory whose project files the CLIs would read (walking up). @default none */
  readonly cwd?: string;
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
 * `o-excl`: a lock file created with O_EXCL; `flock`: an advisory lock on a file; `reload-compare`:
 * no lock, re-read and compare before writing; `in-process`: the CLI serializes refreshes inside
 * its own process only; `none`: no protocol known.
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
  /**
   * The access token's lifetime as the provider gave it (`expires_in`, seconds), for stores that
   * keep it beside the expiry (an `expires_in` field). Optional: `parse` sets it when the answer has it.
   */
  readonly expiresInSeconds?: number;
}

/** A refresh request, built by a CLI's {@link OAuthRefreshSpec}; the refresher sends it. */
export interface OAuthRefreshRequest {
  /** The token endpoint (the `CTD_*` override applied). */
  readonly url: string;
  /** Extra headers (e.g. device headers); `Content-Type` follows `body`. */
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON body or a form body. */
  readonly body:
    | { readonly type: 'json'; readonly value: unknown }
    | { readonly type: 'form'; readonly value: Readonly<Record<string, string>> };
}

/** What a provider's answer to a refresh means. */
export type OAuthRefreshAnswer =
  | { readonly ok: true; readonly tokens: RefreshedTokens }
  | {
      readonly ok: false;
      /** A permanent failure: the refresh token is dead (never retry it), the user must log in again. */
      readonly permanent: boolean;
      /** The provider's error code, cleaned (e.g. `refresh_token_reused`, `invalid_grant`). */
      readonly code: string;
      /** What happened, without any token. */
      readonly reason: string;
    };

/**
 * How a CLI refreshes one of its OAuth logins, as the CLI itself does it: endpoint, client id,
 * body, headers, how to read the answer, whether the refresh token rotates, and when the CLI would
 * refresh. Pure (no I/O): the refresher sends the request, under {@link SourceAdapter.withLock}, and
 * writes the result back with {@link SourceAdapter.writeBack}.
 */
export interface OAuthRefreshSpec {
  /** Each refresh returns a new refresh token and invalidates the old one (a lost answer logs the CLI out). */
  readonly rotating: boolean;
  /** Builds the request for this credential's refresh token. */
  request(ctx: ScanContext, credential: DiscoveredCredential): OAuthRefreshRequest;
  /** Reads the answer (HTTP status and parsed JSON body, or null when the body was not JSON). */
  parse(status: number, body: unknown, now: Date): OAuthRefreshAnswer;
  /**
   * When the CLI would refresh this credential, in ms since the epoch (e.g. expiry − 5 min), or null
   * when it cannot tell. The refresher refreshes at this time, idle credentials too.
   *
   * Some CLIs decide on store facts a credential does not carry (a last-refresh time, an
   * `expires_in`, a device id for `request`): the adapter remembers them from the scan that built
   * the credential, in this process. Pass credentials from a scan (not deserialized ones), or those
   * fall back to the adapter's defaults (see each adapter's refresh notes).
   */
  refreshAt(credential: DiscoveredCredential): number | null;
}

/** What a source knows about one provider whose credentials it yields. */
export interface ProviderFacts {
  /** Where the provider issues new API keys. */
  readonly keyPage?: string;
  /** Dated note on using this provider's subscription login (not its API keys) from other tools. */
  readonly loginPolicy?: PolicyNote;
  /**
   * Set when agent gateways (OpenClaw) have no provider for these credentials: why, and what the
   * user can do instead. Such credentials are shown, never imported.
   */
  readonly noGatewayProvider?: { readonly reason: string; readonly whatToDo: string };
  /** The provider is served by a gateway plugin that may not be installed (OpenClaw's external plugins). */
  readonly externalGatewayPlugin?: boolean;
  /**
   * False when a stored refresh token can no longer be spent (the provider retired its OAuth
   * service): no `oauth-refresh` method is offered. @default true
   */
  readonly oauthRefresh?: boolean;
}

/** One reading of a pasted key or token, as a credential of this source would carry it. */
export interface PastedCandidate {
  readonly provider: ProviderId;
  readonly kind: CredentialKind;
  readonly label: string;
  readonly baseUrl?: string;
}

/** How a user logs in to a CLI again. */
export interface LoginCommands {
  /** The CLI's interactive login command, e.g. `<cli> login`. */
  readonly command: string;
  /**
   * A login the CLI runs through the browser or a device code, printing a URL (and code) to relay,
   * e.g. `<cli> login --device-auth`. Absent when the CLI has none that runs headless.
   */
  readonly browserCommand?: string;
}

/** The facts of a source that {@link SourceAdapter} carries for building credentials. */
export type SourceFacts = Pick<SourceAdapter, 'id' | 'login' | 'providers'>;

/**
 * One credential source: a CLI's store (or the environment). Each lives in its own folder under
 * `adapters/<source-id>/`, owns every fact about its CLI, and passes the shared contract suite
 * (`runAdapterContract` from `@ctd/test-utils`). Every per-CLI table elsewhere (config keys,
 * priorities, login commands, key pages, policies, pasted-key shapes) is derived from the adapter
 * list, so adding a CLI is one folder and one line in that list.
 */
export interface SourceAdapter {
  /** The source id (also the `cliSources` config key). */
  readonly id: SourceId;
  /** Human name of the CLI. */
  readonly displayName: string;
  /**
   * Older short names a user may type for this CLI; several sources may share one (two CLIs of
   * one vendor may share the vendor's name). The source id is always accepted.
   */
  readonly aliases: readonly string[];
  /** Default rotation priority of its credentials among the sources (lower first). */
  readonly defaultPriority: number;
  /** How a user logs in to this CLI, shown when nothing is found. */
  readonly loginHint: string;
  /** The CLI's login commands, or null for a source that is not a CLI (the environment). */
  readonly login: LoginCommands | null;
  /** The provider a login of this CLI belongs to, for re-login hints when no login was found. */
  readonly loginProvider: ProviderId | null;
  /** Facts about each provider whose credentials this source yields. */
  readonly providers: Readonly<Record<ProviderId, ProviderFacts>>;
  /**
   * Set when gateways (OpenClaw) read this CLI's login by themselves: why it is not imported, and
   * what to do. API keys of the source are still imported.
   */
  readonly loginReusedByGateway?: { readonly reason: string; readonly whatToDo: string };
  /** The files this adapter reads, resolved for the context (for `--explain` and contract tests). */
  files(ctx: ScanContext): StoreFile[];
  /** Reads the store. Never throws for bad input: problems become issues. */
  scan(ctx: ScanContext): Promise<SourceScanResult>;
  /**
   * The readings of a key or token pasted for this CLI, best first (a key of one vendor may be
   * meant for either of two of its APIs). Empty when the CLI takes no pasted keys. Never keeps
   * the token.
   */
  recognizePasted?(token: string): PastedCandidate[];
  /** The CLI's lock protocol for its OAuth store, as data (for `--explain` and the docs). */
  lockProtocol?(ctx: ScanContext): LockProtocol;
  /**
   * Runs `fn` while holding the CLI's own lock on the store of `credential` (an O_EXCL lock file
   * with the CLI's stale takeover, an advisory `flock`, or the CLI's reload-and-compare), with a
   * deadline. The refresher re-reads the store inside it before spending a refresh token.
   */
  withLock?<T>(ctx: ScanContext, credential: CredentialInfo, fn: () => Promise<T>): Promise<T>;
  /**
   * Writes refreshed tokens back in the CLI's own format, atomically, keeping unknown fields, key
   * order and the file mode. Call it inside {@link SourceAdapter.withLock}. Only adapters whose CLI
   * refreshes OAuth tokens implement it.
   */
  writeBack?(ctx: ScanContext, credential: DiscoveredCredential, tokens: RefreshedTokens): Promise<void>;
  /**
   * How this CLI refreshes the OAuth login behind `credential`, or undefined when it cannot be
   * refreshed (an API key, a login without a refresh token, a retired provider).
   */
  oauthRefresh?(credential: CredentialInfo): OAuthRefreshSpec | undefined;
}
