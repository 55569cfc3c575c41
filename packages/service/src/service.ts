import { dirname, join } from 'node:path';
import {
  type CredentialInfo,
  CtdError,
  type DiscoveredCredential,
  redact,
  type SourceId,
  toCredentialInfo,
  toCtdError,
  type ValidationResult,
} from '@ctd/core';
import { type HistoryEntry, type HistoryStore, openHistoryStore, recordScan } from '@ctd/history';
// The refresher, the rotator and the re-login code serve status, refreshes, rotation and logins:
// each is loaded when first used, so that a one-shot scan (`ctd scan`) loads none of them.
import type { Refresher, RefreshScheduler, RefreshSchedulerOptions } from '@ctd/refresher';
import type { Rotator } from '@ctd/rotator';
import {
  ALL_ADAPTERS,
  adapterById,
  makeCredential,
  type ScanResult,
  type SourceAdapter,
  scan as scanSources,
  sourcesForName,
} from '@ctd/scanners';
import type * as z from 'zod/mini';
import type { TokenDiscoveryClient } from './client.ts';
import { parseServiceConfig, type ServiceConfig, sourceConfig } from './config.ts';
import { type ImportAction, type ImportHostFacts, planImport } from './import-plan.ts';
import type { ActiveLogin, RefreshRunOptions } from './relogin.ts';
import {
  ClearHistoryInputSchema,
  ClearHistoryOutputSchema,
  type CredentialStatus,
  type CredentialView,
  GetHistoryInputSchema,
  type GetHistoryOutput,
  GetHistoryOutputSchema,
  ImportManualInputSchema,
  ImportManualOutputSchema,
  type ImportOutcome,
  RefreshInputSchema,
  type RefreshOutput,
  RefreshOutputSchema,
  type RotationProviderStatus,
  ScanInputSchema,
  type ScanOutput,
  ScanOutputSchema,
  StatusInputSchema,
  type StatusOutput,
  StatusOutputSchema,
} from './schemas.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Writes credentials into a gateway (OpenClaw, through its plugin SDK). The service plans; the
 * importer only writes what it is told, and must be idempotent.
 */
export interface CredentialImporter {
  /** What the gateway can use (its providers, the logins it already reuses). */
  hostFacts(): Promise<ImportHostFacts>;
  /** Writes one profile; `unchanged` when the same secret is already there. */
  apply(action: ImportAction, secret: string): Promise<'imported' | 'unchanged'>;
  /**
   * Puts these profiles first, in this order, in the provider's profile order (the gateway's other
   * profiles keep their relative order after them). Optional: used by the `priority` strategy.
   */
  setOrder?(provider: string, profileIds: readonly string[]): Promise<void>;
}

/** Checks credentials with their providers (by default `validateCredentials` of `@ctd/scanners/validate`). */
export type ValidateFn = (
  credentials: readonly DiscoveredCredential[],
  options: { env: Env; timeoutMs?: number },
) => Promise<ValidationResult[]>;

/** Options of {@link createTokenDiscoveryService}. */
export interface TokenDiscoveryServiceOptions {
  /** The configuration (defaults applied by the service). */
  config?: unknown;
  /** Environment for scanning (HOME, CLI overrides) and validation (`CTD_*_BASE_URL`, proxies). */
  env?: Env | undefined;
  /**
   * The history store, or `false` to record nothing (status then reads no history).
   * @default the file store at {@link TokenDiscoveryServiceOptions.historyFile} or its default path, opened on first use
   */
  history?: HistoryStore | false | undefined;
  /** Where the file history lives when no store is given. @default `$CTD_HISTORY_FILE`, else `$OPENCLAW_STATE_DIR/cli-token-history.json`, else `~/.openclaw/cli-token-history.json` */
  historyFile?: string | undefined;
  /** Where to import. Without one, nothing is imported. */
  importer?: CredentialImporter | undefined;
  /** The live check. @default `validateCredentials` from `@ctd/scanners/validate`, loaded on first use */
  validate?: ValidateFn | undefined;
  /** Per-request timeout of live checks (ms). */
  timeoutMs?: number | undefined;
  /** The clock. */
  now?: (() => Date) | undefined;
  /** The sources, each with every fact about its CLI. @default `ALL_ADAPTERS` of `@ctd/scanners` */
  adapters?: readonly SourceAdapter[] | undefined;
  /**
   * The rotation part of `status` (per provider: strategy, order, shares, health, last pick), from
   * the host that drives rotation (the OpenClaw plugin). Without it, `status` has no `rotation`.
   */
  rotationStatus?: (() => Promise<RotationProviderStatus[]>) | undefined;
}

interface LastScan {
  output: ScanOutput;
  result: ScanResult;
}

function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, operation: string): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  // zod messages name paths and expectations, never the values; the token field is never quoted.
  const detail = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
  throw new CtdError('BAD_USAGE', `${operation}: invalid params (${detail})`, { details: { operation } });
}

/**
 * The TokenDiscoveryService: detect → validate → import → history, as six plain async operations
 * with zod-checked inputs and outputs. Results carry masked previews and hashes, never a secret.
 * Shared by the OpenClaw plugin and the `ctd` command. Every per-CLI fact comes from the adapter
 * list of `@ctd/scanners`.
 */
export class TokenDiscoveryService implements TokenDiscoveryClient {
  /** The configuration in force (defaults applied). */
  readonly config: ServiceConfig;
  /** Notes on the configuration, e.g. a deprecated key (for the caller's log). */
  readonly configWarnings: readonly string[];
  readonly #env: Env;
  readonly #importer: CredentialImporter | undefined;
  readonly #now: () => Date;
  readonly #timeoutMs: number | undefined;
  readonly #historyFile: string | undefined;
  readonly #recordHistory: boolean;
  readonly #adapters: readonly SourceAdapter[];
  readonly #rotationStatus: (() => Promise<RotationProviderStatus[]>) | undefined;
  #validate: ValidateFn | undefined;
  #history: HistoryStore | undefined;
  #historyOpening: Promise<HistoryStore> | undefined;
  #last: LastScan | undefined;
  #running: Promise<ScanOutput> | undefined;
  #rotator: Rotator<DiscoveredCredential> | undefined;

  constructor(options: TokenDiscoveryServiceOptions = {}) {
    this.#adapters = options.adapters ?? ALL_ADAPTERS;
    this.#rotationStatus = options.rotationStatus;
    const parsed = parseServiceConfig(options.config, this.#adapters);
    if (!parsed.ok) throw new CtdError('BAD_USAGE', `invalid configuration: ${parsed.issues.join('; ')}`);
    this.config = parsed.value;
    this.configWarnings = parsed.warnings;
    this.#env = options.env ?? {};
    this.#importer = options.importer;
    this.#validate = options.validate;
    this.#recordHistory = options.history !== false;
    this.#history = options.history || undefined;
    this.#historyFile = options.historyFile;
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? (() => new Date());
  }

  /** The history store (opened on first use); undefined when the service records no history. */
  async history(): Promise<HistoryStore | undefined> {
    if (!this.#recordHistory) return undefined;
    if (this.#history) return this.#history;
    const shared = this.config.history;
    this.#historyOpening ??=
      shared.backend === 'redis'
        ? // Loaded only when configured: the file history needs no Redis client. The password may
          // come from $CTD_REDIS_PASSWORD so that it stays out of the config; it is never logged.
          import('@ctd/history-redis').then((m) =>
            m.openRedisHistoryStore({
              url: shared.url as string,
              keyPrefix: shared.keyPrefix,
              password: this.#env.CTD_REDIS_PASSWORD || undefined,
            }),
          )
        : openHistoryStore({ env: this.#env, file: this.#historyFile });
    this.#history = await this.#historyOpening;
    return this.#history;
  }

  async #requireHistory(operation: string): Promise<HistoryStore> {
    const store = await this.history();
    if (!store) throw new CtdError('BAD_USAGE', `${operation}: this service keeps no history`);
    return store;
  }

  async #validator(): Promise<ValidateFn> {
    if (!this.#validate) {
      // Loaded on first use: offline callers never load the network code.
      const { validateCredentials } = await import('@ctd/scanners/validate');
      this.#validate = (creds, options) => validateCredentials(creds, options);
    }
    return this.#validate;
  }

  #enabledSources(only?: readonly SourceId[]): SourceId[] {
    if (only) {
      const unknown = only.filter((s) => !adapterById(s, this.#adapters));
      if (unknown.length > 0) {
        throw new CtdError(
          'BAD_USAGE',
          `scan: invalid params (sources: unknown source ${unknown.map((s) => `"${s}"`).join(', ')}; one of: ${this.#adapters.map((a) => a.id).join(', ')})`,
          { details: { sources: unknown } },
        );
      }
    }
    return this.#adapters
      .map((a) => a.id)
      .filter((s) => sourceConfig(this.config, s).enabled && (!only || only.includes(s)));
  }

  /**
   * Detects credentials, validates them (when `validateTokens`), imports the valid ones (when
   * `autoImport` and an importer is set) and records everything in the history. Idempotent: a second
   * scan imports nothing new. Concurrent calls share one run.
   *
   * @param input - `{ validate?, import?, sources?, explain? }`
   */
  async scan(input: unknown = {}): Promise<ScanOutput> {
    const params = parseInput(ScanInputSchema, input, 'scan');
    const sources = this.#enabledSources(params.sources);
    // A rescan of some sources (a store changed on disk) is not the scan asked for: wait for it.
    while (this.#running && this.#running === this.#partial) await this.#running.catch(() => undefined);
    if (this.#running) return this.#running;
    this.#running = this.#scan(params, sources).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #scan(
    params: z.output<typeof ScanInputSchema>,
    sources: SourceId[],
    merge = false,
  ): Promise<ScanOutput> {
    // process.hrtime, not performance.now(): the first use of `performance` loads perf_hooks (a
    // dozen modules and a megabyte of memory in a short `ctd scan`).
    const started = process.hrtime.bigint();
    const now = this.#now();
    const result = await scanSources({
      env: this.#env,
      now,
      sources,
      adapters: this.#adapters,
      ...(params.keychain ? { scanKeychains: true } : {}),
      ...(params.cwd ? { cwd: params.cwd } : {}),
    });
    const doValidate = params.validate ?? this.config.validateTokens;
    const validations = doValidate
      ? await (await this.#validator())(result.credentials, {
          env: this.#env,
          ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}),
        })
      : [];
    const byId = new Map(validations.map((v) => [v.credentialId, v]));
    const infos = result.credentials.map(toCredentialInfo);
    const historyIssues = await this.#record(infos, validations, now);

    const doImport = (params.import ?? this.config.autoImport) && this.#importer !== undefined;
    const facts = doImport ? await this.#importer!.hostFacts() : undefined;
    const views: CredentialView[] = [];
    for (const credential of result.credentials) {
      const validation = byId.get(credential.id);
      const outcome = facts
        ? await this.#importOne(credential, validation, this.config, facts)
        : ({
            status: 'off',
            reason: this.#importer ? 'import is turned off (autoImport)' : 'no gateway to import into',
          } satisfies ImportOutcome);
      views.push({ ...toCredentialInfo(credential), ...(validation ? { validation } : {}), import: outcome });
    }
    if (facts && this.config.rotationStrategy === 'priority') await this.#applyPriorityOrder(views);
    const count = (s: ImportOutcome['status']) => views.filter((v) => v.import.status === s).length;
    const output = ScanOutputSchema.parse({
      scannedAt: now.toISOString(),
      durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
      credentials: views,
      issues: [...result.issues, ...historyIssues],
      ...(params.explain ? { locations: result.locations } : {}),
      summary: {
        found: views.length,
        valid: validations.filter((v) => v.status === 'valid').length,
        imported: count('imported'),
        unchanged: count('unchanged'),
        skipped: count('skipped'),
        failed: count('failed'),
      },
    });
    // A rescan of some sources (a store changed on disk) replaces only their credentials.
    this.#last =
      merge && this.#last ? mergeScans(this.#last, { output, result }, sources) : { output, result };
    this.#rotator?.setCredentials(this.#rotatable());
    this.#keepAlive?.set(this.#last.result.credentials);
    for (const listener of this.#scanListeners) {
      try {
        listener(this.#last.output, this.#last.result.credentials);
      } catch {
        // A listener's failure is its own; the scan stands.
      }
    }
    return output;
  }

  readonly #scanListeners = new Set<
    (output: ScanOutput, credentials: readonly DiscoveredCredential[]) => void
  >();

  /**
   * Calls `listener` after every scan and rescan with the whole picture (a rescan merged into the
   * last scan) and the credentials with their secrets (for a watcher, a scheduler, an expiry monitor).
   *
   * @returns a function that removes the listener
   */
  onScan(listener: (output: ScanOutput, credentials: readonly DiscoveredCredential[]) => void): () => void {
    this.#scanListeners.add(listener);
    return () => this.#scanListeners.delete(listener);
  }

  /**
   * Scans, validates, imports and records some sources again (their store changed on disk: a
   * re-login, a refresh by the CLI), after any scan already running, and merges the result into the
   * last scan (other sources keep theirs).
   *
   * @param sources - the sources to scan again (disabled ones are left out)
   * @param options - `validate: false` to skip the live checks (an offline watcher) @default config.validateTokens
   * @returns the rescan's own output (its sources only)
   */
  async rescan(sources: readonly SourceId[], options: { validate?: boolean } = {}): Promise<ScanOutput> {
    const enabled = this.#enabledSources(sources);
    while (this.#running) await this.#running.catch(() => undefined);
    const run = this.#scan(
      options.validate === undefined ? {} : { validate: options.validate },
      enabled,
      true,
    );
    const tracked: Promise<ScanOutput> = run.finally(() => {
      if (this.#running === tracked) this.#running = undefined;
      if (this.#partial === tracked) this.#partial = undefined;
    });
    this.#running = tracked;
    this.#partial = tracked;
    return run;
  }

  /** The running scan when it is a rescan of some sources. */
  #partial: Promise<ScanOutput> | undefined;

  /**
   * Records what a scan found. The history is a record, not the result: when it cannot be written
   * (a lock held too long, a full disk), the scan still answers, with the failure as an issue.
   */
  async #record(
    infos: readonly CredentialInfo[],
    validations: readonly ValidationResult[],
    now: Date,
  ): Promise<ScanOutput['issues']> {
    let store: HistoryStore | undefined;
    try {
      store = await this.history();
      if (store) await recordScan(store, infos, validations, now);
      return [];
    } catch (error) {
      const failure = toCtdError(error);
      return [
        {
          source: 'history',
          path: store?.location ?? '',
          code: failure.code,
          message: `the usage history was not updated: ${failure.message}`,
          severity: 'error',
        },
      ];
    }
  }

  /** The last scan's credentials that agents may be given: those whose check did not find them broken. */
  #rotatable(): DiscoveredCredential[] {
    const views = new Map(this.#last?.output.credentials.map((v) => [v.id, v]));
    return (this.#last?.result.credentials ?? []).filter((c) => {
      const status = views.get(c.id)?.validation?.status;
      return (
        status === undefined || status === 'valid' || status === 'rate_limited' || status === 'refreshable'
      );
    });
  }

  /**
   * The rotator that spreads agents over the working credentials of the last scan, with the
   * configured strategy and the sources' priorities (`cliSources.<source>.priority`, lower first).
   * It keeps usage and cooldowns in the service's history, so several processes sharing the history
   * file share one pool. Each scan updates its credentials.
   */
  async rotator(): Promise<Rotator<DiscoveredCredential>> {
    if (this.#rotator) return this.#rotator;
    const store = await this.#requireHistory('rotator');
    // The rotator ranks higher numbers first; the configuration ranks lower numbers first.
    const sources = Object.fromEntries(
      this.#adapters.map((a) => [a.id, -sourceConfig(this.config, a.id).priority]),
    );
    const { createRotator } = await import('@ctd/rotator');
    if (this.#rotator) return this.#rotator; // another call made it meanwhile
    this.#rotator = createRotator<DiscoveredCredential>({
      store,
      strategy: this.config.rotationStrategy,
      priorities: { sources },
      clock: () => this.#now().getTime(),
    });
    this.#rotator.setCredentials(this.#rotatable());
    return this.#rotator;
  }

  async #importOne(
    credential: DiscoveredCredential,
    validation: ValidationResult | undefined,
    config: ServiceConfig,
    facts: ImportHostFacts,
  ): Promise<ImportOutcome> {
    const plan = planImport(toCredentialInfo(credential), validation, config, facts, this.#adapters);
    if (plan.action === 'skip') {
      return { status: 'skipped', code: plan.code, reason: plan.reason, whatToDo: plan.whatToDo };
    }
    try {
      const status = await this.#importer!.apply(plan, credential.secret.reveal());
      return { status, profileId: plan.profileId };
    } catch (error) {
      const failure = toCtdError(error);
      const secrets = [credential.secret.reveal(), credential.refreshSecret?.reveal() ?? ''];
      return {
        status: 'failed',
        profileId: plan.profileId,
        code: failure.code,
        reason: redact(failure.message, secrets),
      };
    }
  }

  /**
   * With the `priority` strategy, asks the gateway to try imported profiles in the configured order
   * (`cliSources.<source>.priority`, lower first). The other strategies need no order: OpenClaw's own
   * round-robin over its profiles already spreads the load.
   */
  async #applyPriorityOrder(views: readonly CredentialView[]): Promise<void> {
    if (!this.#importer?.setOrder) return;
    const byProvider = new Map<string, { profileId: string; priority: number }[]>();
    for (const v of views) {
      if (!v.import.profileId || (v.import.status !== 'imported' && v.import.status !== 'unchanged'))
        continue;
      const list = byProvider.get(v.provider) ?? [];
      list.push({ profileId: v.import.profileId, priority: sourceConfig(this.config, v.source).priority });
      byProvider.set(v.provider, list);
    }
    for (const [provider, list] of byProvider) {
      list.sort((a, b) => a.priority - b.priority || a.profileId.localeCompare(b.profileId));
      await this.#importer.setOrder(
        provider,
        list.map((x) => x.profileId),
      );
    }
  }

  /**
   * Every known credential, with its last check, import, usage and cooldown, and a summary per
   * source and provider. Makes no network call and writes nothing: without a scan in this process
   * it reads the stores offline, and it merges the history.
   */
  async status(input: unknown = {}): Promise<StatusOutput> {
    parseInput(StatusInputSchema, input, 'status');
    const store = await this.history();
    const last = this.#last?.output;
    const found: readonly CredentialView[] =
      last?.credentials ??
      (await this.#offlineViews()).map((c) => ({ ...c, import: offImport(this.#importer) }));
    const health = store?.health;
    const issues = [
      ...(last?.issues ?? this.#offlineIssues ?? []),
      // A shared history that cannot be reached: rotation goes on from the last known state.
      ...(health?.state === 'degraded'
        ? [
            {
              source: 'history',
              path: store?.location ?? '',
              code: 'BACKEND_UNAVAILABLE',
              message: `degraded: ${health.reason ?? 'the shared history is unreachable'}`,
              severity: 'error' as const,
            },
          ]
        : []),
    ];
    const now = this.#now().getTime();
    const seen = new Set<string>();
    const credentials: CredentialStatus[] = [];
    for (const view of found) {
      seen.add(view.id);
      const { validation, import: outcome, ...info } = view;
      credentials.push(statusRow(info, store?.get(view.id), validation, outcome, true, now));
    }
    for (const entry of store?.list() ?? []) {
      if (seen.has(entry.id)) continue;
      credentials.push(
        statusRow(
          { id: entry.id, source: entry.source, provider: entry.provider, hash: entry.hash },
          entry,
          undefined,
          { status: 'off', reason: 'not found by the last scan' },
          false,
          now,
        ),
      );
    }
    // Each credential's expiry, as the expiry monitor judges it (a dead refresh token, a rejection, the clock).
    const warningMs = this.config.expiryWarningHours * 3_600_000;
    const { assessExpiry } = await import('@ctd/refresher');
    for (const [i, c] of credentials.entries()) {
      const entry = store?.get(c.id);
      const a = assessExpiry(
        {
          credential: {
            ...c,
            kind: c.kind ?? 'token',
            expiresAt: c.expiresAt ?? null,
            hasRefreshToken: c.hasRefreshToken ?? false,
          },
          validationStatus: c.status,
          needsLogin: c.status === 'needs_login' || (entry?.statusReason?.startsWith('needs login') ?? false),
        },
        now,
        warningMs,
      );
      credentials[i] = { ...c, expiry: { state: a.state, reason: a.reason } };
    }
    const groups = new Map<string, StatusOutput['sources'][number]>();
    for (const c of credentials.filter((c) => c.inLastScan)) {
      const key = `${c.source}\0${c.provider}`;
      const g = groups.get(key) ?? {
        source: c.source,
        provider: c.provider,
        credentials: 0,
        byStatus: {},
        imported: 0,
      };
      g.credentials++;
      g.byStatus[c.status] = (g.byStatus[c.status] ?? 0) + 1;
      if (c.import.status === 'imported' || c.import.status === 'unchanged') g.imported++;
      groups.set(key, g);
    }
    return StatusOutputSchema.parse({
      lastScan: last
        ? {
            scannedAt: last.scannedAt,
            durationMs: last.durationMs,
            found: last.summary.found,
            imported: last.summary.imported + last.summary.unchanged,
            importRan: last.credentials.some((c) => c.import.status !== 'off'),
          }
        : null,
      scanning: this.#running !== undefined,
      historyFile: store?.location ?? '',
      rotationStrategy: this.config.rotationStrategy,
      importEnabled: this.config.autoImport && this.#importer !== undefined,
      // Best effort: a host that cannot tell (e.g. OpenClaw's auth store unreadable) gives none.
      ...(this.#rotationStatus ? { rotation: await this.#rotationStatus().catch(() => []) } : {}),
      credentials,
      sources: [...groups.values()],
      issues,
    });
  }

  #offlineIssues: ScanOutput['issues'] | undefined;

  async #offlineViews() {
    const result = await scanSources({
      env: this.#env,
      now: this.#now(),
      sources: this.#enabledSources(),
      adapters: this.#adapters,
    });
    this.#offlineIssues = result.issues;
    return result.credentials.map(toCredentialInfo);
  }

  /** The usage history (hashes, counts, statuses: never secrets), of one credential or all. */
  async getHistory(input: unknown = {}): Promise<GetHistoryOutput> {
    const { id } = parseInput(GetHistoryInputSchema, input, 'getHistory');
    const store = await this.#requireHistory('getHistory');
    await store.flush();
    const records = Object.values(store.exportJson().records);
    if (id === undefined) return GetHistoryOutputSchema.parse({ records });
    const one = records.filter((r) => r.id === id);
    if (one.length === 0)
      throw new CtdError('NOT_FOUND', `no history for credential "${id}"`, { details: { id } });
    return GetHistoryOutputSchema.parse({ records: one });
  }

  /** Clears one credential's history, or all of it. */
  async clearHistory(input: unknown = {}): Promise<{ removed: number }> {
    const { id } = parseInput(ClearHistoryInputSchema, input, 'clearHistory');
    const store = await this.#requireHistory('clearHistory');
    const removed = await store.clear(id);
    if (id !== undefined && removed === 0) {
      throw new CtdError('NOT_FOUND', `no history for credential "${id}"`, { details: { id } });
    }
    return ClearHistoryOutputSchema.parse({ removed });
  }

  // --- refreshToken (with the refresher of @ctd/refresher) ---

  #refresher: Promise<Refresher> | undefined;
  /** Re-imports started by the refresher's `refreshed` events, by credential id and new hash. */
  readonly #reimports = new Map<string, Promise<ImportOutcome | undefined>>();

  /**
   * The refresher that keeps this service's OAuth logins alive: the adapters' own refresh under
   * their own locks, the user's opt-in as for import (`cliSources.<source>.importLogins`), results
   * recorded in the service's history. Whenever it (or a scheduler built on it) gets new tokens,
   * the gateway profile imported from that login is updated with the new access token and expiry
   * (never the refresh token: OpenClaw must not own the CLI's token chain).
   */
  refresher(): Promise<Refresher> {
    this.#refresher ??= this.#openRefresher();
    return this.#refresher;
  }

  async #openRefresher(): Promise<Refresher> {
    const { Refresher, REFRESH_STATE_DIR_NAME } = await import('@ctd/refresher');
    let history: HistoryStore | undefined;
    try {
      history = await this.history();
    } catch {
      // A history that cannot be opened does not stop a refresh; the refresh is then not recorded.
      history = undefined;
    }
    const refresher = new Refresher({
      adapters: this.#adapters,
      env: this.#env,
      history,
      optedIn: (c) => sourceConfig(this.config, c.source).importLogins,
      now: this.#now,
      ...(this.#historyFile ? { stateDir: join(dirname(this.#historyFile), REFRESH_STATE_DIR_NAME) } : {}),
    });
    refresher.on('refreshed', (event) => {
      const c = event.credential;
      if (!c) return;
      const key = `${c.id}:${c.hash}`;
      if (this.#reimports.has(key)) return;
      const work = this.#applyRefreshed(c).catch(() => undefined);
      this.#reimports.set(key, work);
      void work.finally(() => {
        if (this.#reimports.get(key) === work) this.#reimports.delete(key);
      });
    });
    return refresher;
  }

  #keepAlive: RefreshScheduler | undefined;

  /**
   * Keeps the OAuth logins of every scan alive: a scheduler on {@link TokenDiscoveryService.refresher}
   * that refreshes each login at its CLI's own moment (idle ones too), fed by each scan, stopped by
   * `close()`. Each refresh updates the imported gateway profile. Calling it again returns the same
   * scheduler.
   *
   * @param options - lead time (`aheadMs`), backoff, `onOutcome`
   */
  async keepAlive(options: RefreshSchedulerOptions = {}): Promise<RefreshScheduler> {
    if (this.#keepAlive) return this.#keepAlive;
    const { RefreshScheduler } = await import('@ctd/refresher');
    const scheduler = new RefreshScheduler(await this.refresher(), options);
    this.#keepAlive ??= scheduler;
    if (this.#last) this.#keepAlive.set(this.#last.result.credentials);
    return this.#keepAlive;
  }

  /**
   * Updates the gateway profile imported from a login with the access token and expiry it holds
   * now (after a refresh, by us or by the CLI). Nothing happens without an importer, with import
   * turned off, or when the plan says the login is not imported (policy, provider, opt-in).
   *
   * @param credential - the login as its store holds it now
   * @returns what happened to its profile, or undefined when nothing was to be done
   */
  async #applyRefreshed(credential: DiscoveredCredential): Promise<ImportOutcome | undefined> {
    if (!this.#importer || !this.config.autoImport) return undefined;
    const facts = await this.#importer.hostFacts();
    // The token endpoint just issued this access token: that is the provider's own word on it.
    const issued: ValidationResult = {
      credentialId: credential.id,
      status: 'valid',
      reason: 'issued by the provider’s token endpoint',
      checkedAt: this.#now().toISOString(),
      latencyMs: 0,
    };
    return this.#importOne(credential, issued, this.config, facts);
  }

  /**
   * Renews a CLI's login or a credential. Without a method, each OAuth login of the target whose
   * CLI can be refreshed by this tool is refreshed when due (its CLI's own rule), under the CLI's
   * lock, written back to its store, and its gateway profile updated; the answer also lists the
   * other methods that apply (key page, the CLI's login command, a pasted key), with what each
   * does. `method: "oauth-refresh"` refreshes now, due or not. A re-login method runs (see
   * `runRelogin`): `browser-login` and `cli-login` run the CLI's own login command on this machine
   * and answer with the page (and code) to open on the operator's side; `key-page` answers with the
   * page; `paste-key` says how to paste (importManual).
   *
   * @param input - `{ target, method? }`: a source id (or its short name) or a credential id
   * @param options - for a local caller: progress, cancellation, wait for the login to end
   */
  async refreshToken(input: unknown, options: RefreshRunOptions = {}): Promise<RefreshOutput> {
    const { target, method } = parseInput(RefreshInputSchema, input, 'refreshToken');
    const { reloginMethods } = await import('@ctd/refresher');
    let credentials: DiscoveredCredential[];
    const sources = sourcesForName(target, this.#adapters);
    if (sources.length > 0) {
      credentials = (await scanSources({ env: this.#env, sources, adapters: this.#adapters })).credentials;
      if (credentials.length === 0) {
        // The first source of a shared short name is the CLI's own (the adapter list's order).
        const adapter = adapterById(sources[0] as SourceId, this.#adapters) as SourceAdapter;
        const hint = adapter.loginProvider
          ? reloginMethods(adapter, adapter.loginProvider, 'oauth', this.#adapters)
          : [];
        if (method !== undefined && method !== 'oauth-refresh') {
          return this.#relogin(target, adapter, method, hint, [], options);
        }
        return RefreshOutputSchema.parse({
          target,
          credentials: [],
          methods: hint,
          note: `No ${adapter.displayName} login found; log in with the CLI or paste a key.`,
        });
      }
    } else {
      // A fresh scan: a refresh must start from the store as it is now, not from an old scan.
      const found = (await scanSources({ env: this.#env, adapters: this.#adapters })).credentials.filter(
        (c) => c.id === target,
      );
      if (found.length === 0) {
        throw new CtdError(
          'NOT_FOUND',
          `unknown CLI or credential "${target}"; CLIs: ${this.#adapters.map((a) => a.id).join(', ')}`,
          { details: { target } },
        );
      }
      credentials = found;
    }
    if (method !== undefined && method !== 'oauth-refresh') {
      const first = credentials[0] as DiscoveredCredential;
      const adapter = adapterById(first.source, this.#adapters) as SourceAdapter;
      return this.#relogin(
        target,
        adapter,
        method,
        this.#reloginMethodsOf(credentials, reloginMethods),
        credentials,
        options,
      );
    }
    // Every OAuth login with a refresh token gets an outcome: the refresher says why one cannot
    // be refreshed (a retired provider, a store this tool cannot write back) without a call.
    const refreshable = credentials.filter((c) => c.kind === 'oauth' && c.hasRefreshToken);
    const outcomes: RefreshOutput['outcomes'] = [];
    if (refreshable.length > 0) {
      const refresher = await this.refresher();
      for (const c of refreshable) {
        const { outcome, credential } = await refresher.refreshWithCredential(c, {
          force: method === 'oauth-refresh',
        });
        const reimport = credential ? this.#reimports.get(`${credential.id}:${credential.hash}`) : undefined;
        const imported = reimport ? await reimport : undefined;
        const { relogin, ...rest } = outcome;
        outcomes.push({
          ...rest,
          ...(relogin ? { relogin: [...relogin] } : {}),
          ...(imported ? { import: imported } : {}),
        });
      }
    } else if (method === 'oauth-refresh') {
      throw new CtdError(
        'BAD_USAGE',
        `refreshToken: "${target}" has no OAuth login this tool can refresh; run refreshToken without a method to see the methods that apply`,
        { details: { operation: 'refreshToken', target } },
      );
    }
    const refreshed = outcomes.filter((o) => o.status === 'refreshed' || o.status === 'refreshed-by-other');
    const dead = outcomes.filter((o) => o.status === 'needs_login');
    const note =
      outcomes.length === 0
        ? 'No login here can be refreshed automatically; use one of these methods.'
        : dead.length > 0
          ? 'A login needs a new login (its refresh token is dead); use one of these methods.'
          : refreshed.length > 0
            ? 'Refreshed under the CLI’s own lock and written back to its store; the other methods are listed for when a login dies.'
            : 'Nothing was refreshed (see each outcome); the other methods are listed for when a login dies.';
    return RefreshOutputSchema.parse({
      target,
      outcomes,
      credentials: credentials.map((c) => ({
        id: c.id,
        label: c.label,
        provider: c.provider,
        methods: c.refreshMethods,
      })),
      methods: this.#reloginMethodsOf(credentials, reloginMethods),
      note,
    });
  }

  /** Logins running in the background (browser or CLI login), by source. */
  readonly #logins = new Map<SourceId, ActiveLogin>();

  /** The re-login methods of some credentials (deduplicated, best first). */
  #reloginMethodsOf(
    credentials: readonly DiscoveredCredential[],
    reloginMethods: typeof import('@ctd/refresher').reloginMethods,
  ): RefreshOutput['methods'] {
    const methods = new Map<string, RefreshOutput['methods'][number]>();
    for (const c of credentials) {
      const adapter = adapterById(c.source, this.#adapters);
      if (!adapter) continue;
      for (const m of reloginMethods(adapter, c.provider, c.kind, this.#adapters))
        methods.set(JSON.stringify(m), m);
    }
    return [...methods.values()];
  }

  async #relogin(
    target: string,
    adapter: SourceAdapter,
    method: Exclude<RefreshOutput['methods'][number]['type'], 'oauth-refresh'>,
    methods: RefreshOutput['methods'],
    credentials: readonly DiscoveredCredential[],
    options: RefreshRunOptions,
  ): Promise<RefreshOutput> {
    const chosen = methods.find((m) => m.type === method);
    if (!chosen) {
      throw new CtdError(
        'BAD_USAGE',
        `refreshToken: "${method}" does not apply to ${target}; methods: ${methods.map((m) => m.type).join(', ') || 'none'}`,
        { details: { operation: 'refreshToken', target, method } },
      );
    }
    const { runRelogin } = await import('./relogin.ts');
    const answer = await runRelogin({
      adapter,
      method,
      keyPage: chosen.type === 'key-page' ? chosen.url : null,
      env: this.#env,
      options,
      rescan: (sources) => this.rescan(sources),
      active: this.#logins,
    });
    return RefreshOutputSchema.parse({
      target,
      credentials: credentials.map((c) => ({
        id: c.id,
        label: c.label,
        provider: c.provider,
        methods: c.refreshMethods,
      })),
      methods,
      ...answer,
    });
  }

  /**
   * Validates a pasted key or token with that CLI's provider, imports it when valid, and records it.
   *
   * @param input - `{ cli, token }`: `cli` is a source id or its short name; the token is never echoed back
   */
  async importManual(input: unknown): Promise<{ credential: CredentialView }> {
    const { cli, token } = parseInput(ImportManualInputSchema, input, 'importManual');
    const pasteable = this.#adapters.filter((a) => a.recognizePasted);
    const adapter = sourcesForName(cli, this.#adapters)
      .map((s) => adapterById(s, this.#adapters))
      .find((a) => a?.recognizePasted);
    if (!adapter?.recognizePasted) {
      throw new CtdError(
        'BAD_USAGE',
        `importManual: invalid params (cli: "${cli}" is not a CLI that takes pasted keys; one of: ${pasteable.map((a) => a.id).join(', ')})`,
        { details: { cli } },
      );
    }
    const source = adapter.id;
    const candidates = adapter
      .recognizePasted(token)
      .map((c) =>
        makeCredential(
          { ...c, source, secret: token, origin: { type: 'manual', via: 'import-manual' } },
          adapter,
        ),
      );
    if (candidates.length === 0) {
      throw new CtdError(
        'BAD_USAGE',
        `importManual: this does not look like a key or token for ${adapter.displayName}`,
      );
    }
    const validations = await (await this.#validator())(candidates, {
      env: this.#env,
      ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}),
    });
    // A key may fit several providers (e.g. two of one vendor): take the first candidate its provider accepts.
    let index = validations.findIndex((v) => v.status === 'valid');
    if (index < 0) index = 0;
    const credential = candidates[index] as DiscoveredCredential;
    const validation = validations[index];
    const now = this.#now();
    await this.#record([toCredentialInfo(credential)], validation ? [validation] : [], now);
    // Pasting a token by hand is the explicit opt-in the policy asks for; validation is always required.
    const manualConfig: ServiceConfig = {
      ...this.config,
      validateTokens: true,
      cliSources: {
        ...this.config.cliSources,
        [source]: { ...sourceConfig(this.config, source), enabled: true, importLogins: true },
      },
    };
    const outcome: ImportOutcome = this.#importer
      ? await this.#importOne(credential, validation, manualConfig, await this.#importer.hostFacts())
      : { status: 'off', reason: 'no gateway to import into' };
    return ImportManualOutputSchema.parse({
      credential: { ...toCredentialInfo(credential), ...(validation ? { validation } : {}), import: outcome },
    });
  }

  /** Flushes the history and releases it. */
  async close(): Promise<void> {
    for (const { login } of this.#logins.values()) login.cancel();
    this.#keepAlive?.stop();
    await this.#running?.catch(() => {});
    await this.#history?.close();
  }
}

/** The last scan with some sources' credentials, views and issues replaced by a rescan's. */
function mergeScans(last: LastScan, next: LastScan, sources: readonly SourceId[]): LastScan {
  const from = new Set<string>(sources);
  const keep = <T extends { source: string }>(list: readonly T[]) => list.filter((x) => !from.has(x.source));
  const credentials = [...keep(last.output.credentials), ...next.output.credentials];
  const count = (s: ImportOutcome['status']) => credentials.filter((v) => v.import.status === s).length;
  return {
    output: {
      ...next.output,
      credentials,
      issues: [...keep(last.output.issues), ...next.output.issues],
      summary: {
        found: credentials.length,
        valid: credentials.filter((v) => v.validation?.status === 'valid').length,
        imported: count('imported'),
        unchanged: count('unchanged'),
        skipped: count('skipped'),
        failed: count('failed'),
      },
    },
    result: {
      ...next.result,
      credentials: [...keep(last.result.credentials), ...next.result.credentials],
      issues: [...keep(last.result.issues), ...next.result.issues],
      locations: [...keep(last.result.locations), ...next.result.locations],
      sources: [...new Set([...last.result.sources, ...next.result.sources])],
    },
  };
}

function offImport(importer: CredentialImporter | undefined): ImportOutcome {
  return {
    status: 'off',
    reason: importer ? 'no scan has run in this process' : 'no gateway to import into',
  };
}

/** The status a history entry gives when no live check was recorded (usage reports can mark one). */
function fromHistory(entry: HistoryEntry | undefined): CredentialStatus['status'] {
  switch (entry?.status) {
    case 'expired':
      return 'expired';
    case 'invalid':
    case 'revoked':
      return 'invalid';
    default:
      return 'unchecked';
  }
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** One row of `status`: the credential's facts, merged with its history entry. */
function statusRow(
  info:
    | Omit<CredentialView, 'validation' | 'import'>
    | Pick<CredentialView, 'id' | 'source' | 'provider' | 'hash'>,
  entry: HistoryEntry | undefined,
  validation: ValidationResult | undefined,
  outcome: ImportOutcome,
  inLastScan: boolean,
  now: number,
): CredentialStatus {
  const lastCheck = validation
    ? {
        status: validation.status,
        reason: validation.reason,
        checkedAt: validation.checkedAt,
        ...(validation.httpStatus !== undefined ? { httpStatus: validation.httpStatus } : {}),
      }
    : entry?.lastValidation
      ? {
          status: entry.lastValidation.status,
          reason: entry.lastValidation.reason,
          checkedAt: entry.lastValidation.checkedAt,
          ...(entry.lastValidation.httpStatus !== undefined
            ? { httpStatus: entry.lastValidation.httpStatus }
            : {}),
        }
      : null;
  const expiresAt = 'expiresAt' in info ? info.expiresAt : iso(entry?.expiresAt);
  const expired = expiresAt !== null && expiresAt !== undefined && Date.parse(expiresAt) <= now;
  let status: CredentialStatus['status'] = lastCheck?.status ?? fromHistory(entry);
  if (status === 'valid' && expired)
    status = 'hasRefreshToken' in info && info.hasRefreshToken ? 'refreshable' : 'expired';
  const cooling = entry?.cooldownUntil && entry.cooldownUntil > now ? entry.cooldownUntil : null;
  return {
    ...info,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    inLastScan,
    status,
    lastCheck,
    import: outcome,
    usage: {
      count: entry?.usageCount ?? 0,
      lastUsed: iso(entry?.lastUsed),
      successes: entry?.successes ?? 0,
      failures: entry?.failures ?? 0,
      consecutiveFailures: entry?.consecutiveFailures ?? 0,
    },
    firstSeen: iso(entry?.firstSeen),
    lastSeen: iso(entry?.lastSeen),
    cooldownUntil: iso(cooling),
    cooldownCause: cooling ? (entry?.cooldownCause ?? null) : null,
  };
}

/**
 * Creates a {@link TokenDiscoveryService}.
 *
 * @param options - configuration, environment, history store, importer
 * @example
 * const service = createTokenDiscoveryService({ env: process.env, config: { autoImport: false } });
 * const { credentials } = await service.scan();
 */
export function createTokenDiscoveryService(
  options: TokenDiscoveryServiceOptions = {},
): TokenDiscoveryService {
  return new TokenDiscoveryService(options);
}
