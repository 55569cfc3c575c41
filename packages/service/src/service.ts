import {
  CtdError,
  type DiscoveredCredential,
  redact,
  type SourceId,
  toCredentialInfo,
  type ValidationResult,
} from '@ctd/core';
import { type HistoryStore, openHistoryStore, recordScan } from '@ctd/history';
import { makeCredential, refreshMethodsFor, type ScanResult, scan as scanSources } from '@ctd/scanners';
import type { z } from 'zod';
import {
  CLI_KEY_OF_SOURCE,
  CLI_KEYS,
  type CliKey,
  parseServiceConfig,
  type ServiceConfig,
  sourcesOfCli,
} from './config.ts';
import { type ImportAction, type ImportHostFacts, planImport } from './import-plan.ts';
import {
  ClearHistoryInputSchema,
  ClearHistoryOutputSchema,
  type CredentialView,
  GetHistoryInputSchema,
  ImportManualInputSchema,
  ImportManualOutputSchema,
  type ImportOutcome,
  RefreshInputSchema,
  type RefreshOutput,
  RefreshOutputSchema,
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
  env?: Env;
  /** The history store. @default the file store at its default path, opened on first use */
  history?: HistoryStore;
  /** Where to import. Without one, nothing is imported. */
  importer?: CredentialImporter;
  /** The live check. @default `validateCredentials` from `@ctd/scanners/validate`, loaded on first use */
  validate?: ValidateFn;
  /** Per-request timeout of live checks (ms). */
  timeoutMs?: number;
  /** The clock. */
  now?: () => Date;
}

interface LastScan {
  output: ScanOutput;
  result: ScanResult;
}

/** The provider a CLI's own login belongs to, for re-login hints when no login is found. */
const LOGIN_PROVIDER_OF_CLI: Readonly<Record<CliKey, string>> = {
  codex: 'openai',
  gemini: 'google',
  qwen: 'qwen',
  kimi: 'kimi',
  claude: 'anthropic',
  opencode: 'openai',
  env: 'openai',
};

const SOURCE_OF_CLI: Readonly<Record<Exclude<CliKey, 'opencode' | 'env'>, SourceId>> = {
  codex: 'codex-cli',
  gemini: 'gemini-cli',
  qwen: 'qwen-cli',
  kimi: 'kimi-cli',
  claude: 'claude-code',
};

function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  // zod messages name paths and expectations, never the values; the token field is never quoted.
  const detail = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
  throw new CtdError('BAD_USAGE', `${operation}: invalid params (${detail})`, { details: { operation } });
}

/**
 * The TokenDiscoveryService: detect → validate → import → history, as six plain async operations
 * with zod-checked inputs and outputs. Results carry masked previews and hashes, never a secret.
 * Shared by the OpenClaw plugin and `ctd serve`.
 */
export class TokenDiscoveryService {
  /** The configuration in force (defaults applied). */
  readonly config: ServiceConfig;
  readonly #env: Env;
  readonly #importer: CredentialImporter | undefined;
  readonly #now: () => Date;
  readonly #timeoutMs: number | undefined;
  #validate: ValidateFn | undefined;
  #history: HistoryStore | undefined;
  #historyOpening: Promise<HistoryStore> | undefined;
  #last: LastScan | undefined;
  #running: Promise<ScanOutput> | undefined;

  constructor(options: TokenDiscoveryServiceOptions = {}) {
    const parsed = parseServiceConfig(options.config);
    if (!parsed.ok) throw new CtdError('BAD_USAGE', `invalid configuration: ${parsed.issues.join('; ')}`);
    this.config = parsed.value;
    this.#env = options.env ?? {};
    this.#importer = options.importer;
    this.#validate = options.validate;
    this.#history = options.history;
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? (() => new Date());
  }

  /** The history store (opened on first use). */
  async history(): Promise<HistoryStore> {
    if (this.#history) return this.#history;
    this.#historyOpening ??= openHistoryStore({ env: this.#env });
    this.#history = await this.#historyOpening;
    return this.#history;
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
    const all = Object.keys(CLI_KEY_OF_SOURCE) as SourceId[];
    return all.filter(
      (s) => this.config.cliSources[CLI_KEY_OF_SOURCE[s]].enabled && (!only || only.includes(s)),
    );
  }

  /**
   * Detects credentials, validates them (when `validateTokens`), imports the valid ones (when
   * `autoImport` and an importer is set) and records everything in the history. Idempotent: a second
   * scan imports nothing new. Concurrent calls share one run.
   *
   * @param input - `{ validate?, import?, sources? }`
   */
  async scan(input: unknown = {}): Promise<ScanOutput> {
    const params = parseInput(ScanInputSchema, input, 'scan');
    if (this.#running) return this.#running;
    this.#running = this.#scan(params).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #scan(params: z.output<typeof ScanInputSchema>): Promise<ScanOutput> {
    const started = performance.now();
    const now = this.#now();
    const result = await scanSources({ env: this.#env, now, sources: this.#enabledSources(params.sources) });
    const doValidate = params.validate ?? this.config.validateTokens;
    const validations = doValidate
      ? await (await this.#validator())(result.credentials, {
          env: this.#env,
          ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}),
        })
      : [];
    const byId = new Map(validations.map((v) => [v.credentialId, v]));
    const infos = result.credentials.map(toCredentialInfo);
    await recordScan(await this.history(), infos, validations, now);

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
      durationMs: Math.round(performance.now() - started),
      credentials: views,
      issues: result.issues,
      summary: {
        found: views.length,
        valid: validations.filter((v) => v.status === 'valid').length,
        imported: count('imported'),
        unchanged: count('unchanged'),
        skipped: count('skipped'),
        failed: count('failed'),
      },
    });
    this.#last = { output, result };
    return output;
  }

  async #importOne(
    credential: DiscoveredCredential,
    validation: ValidationResult | undefined,
    config: ServiceConfig,
    facts: ImportHostFacts,
  ): Promise<ImportOutcome> {
    const plan = planImport(toCredentialInfo(credential), validation, config, facts);
    if (plan.action === 'skip') {
      return { status: 'skipped', code: plan.code, reason: plan.reason, whatToDo: plan.whatToDo };
    }
    try {
      const status = await this.#importer!.apply(plan, credential.secret.reveal());
      return { status, profileId: plan.profileId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const secrets = [credential.secret.reveal(), credential.refreshSecret?.reveal() ?? ''];
      return { status: 'failed', profileId: plan.profileId, reason: redact(message, secrets) };
    }
  }

  /**
   * With the `priority` strategy, asks the gateway to try imported profiles in the configured order
   * (`cliSources.<cli>.priority`, lower first). The other strategies need no order: OpenClaw's own
   * round-robin over its profiles already spreads the load.
   */
  async #applyPriorityOrder(views: readonly CredentialView[]): Promise<void> {
    if (!this.#importer?.setOrder) return;
    const byProvider = new Map<string, { profileId: string; priority: number }[]>();
    for (const v of views) {
      if (!v.import.profileId || (v.import.status !== 'imported' && v.import.status !== 'unchanged'))
        continue;
      const list = byProvider.get(v.provider) ?? [];
      list.push({
        profileId: v.import.profileId,
        priority: this.config.cliSources[CLI_KEY_OF_SOURCE[v.source]].priority,
      });
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

  /** A summary per source and provider: how many credentials, their statuses, what was imported. */
  async status(input: unknown = {}): Promise<StatusOutput> {
    parseInput(StatusInputSchema, input, 'status');
    const store = await this.history();
    const groups = new Map<string, StatusOutput['sources'][number]>();
    const views = this.#last?.output.credentials ?? [];
    for (const view of views) {
      const key = `${view.source}\0${view.provider}`;
      const g = groups.get(key) ?? {
        source: view.source,
        provider: view.provider,
        credentials: 0,
        byStatus: {},
        imported: 0,
      };
      g.credentials++;
      const status = view.validation?.status ?? store.get(view.id)?.status ?? 'unchecked';
      g.byStatus[status] = (g.byStatus[status] ?? 0) + 1;
      if (view.import.status === 'imported' || view.import.status === 'unchanged') g.imported++;
      groups.set(key, g);
    }
    const last = this.#last?.output;
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
      historyFile: store.location,
      rotationStrategy: this.config.rotationStrategy,
      importEnabled: this.config.autoImport && this.#importer !== undefined,
      sources: [...groups.values()],
    });
  }

  /** The usage history (hashes, counts, statuses: never secrets), of one credential or all. */
  async getHistory(input: unknown = {}): Promise<{ records: unknown[] }> {
    const { id } = parseInput(GetHistoryInputSchema, input, 'getHistory');
    const store = await this.history();
    await store.flush();
    const records = Object.values(store.exportJson().records);
    if (id === undefined) return { records };
    const one = records.filter((r) => (r as { id: string }).id === id);
    if (one.length === 0)
      throw new CtdError('NOT_FOUND', `no history for credential "${id}"`, { details: { id } });
    return { records: one };
  }

  /** Clears one credential's history, or all of it. */
  async clearHistory(input: unknown = {}): Promise<{ removed: number }> {
    const { id } = parseInput(ClearHistoryInputSchema, input, 'clearHistory');
    const store = await this.history();
    const removed = await store.clear(id);
    if (id !== undefined && removed === 0) {
      throw new CtdError('NOT_FOUND', `no history for credential "${id}"`, { details: { id } });
    }
    return ClearHistoryOutputSchema.parse({ removed });
  }

  /**
   * The ways to renew a CLI's login or a credential (key page, CLI login command, pasted key).
   * The refresher will run them; until then this tells the caller what to offer.
   *
   * @param input - `{ target }`: a CLI key (`codex`, `kimi`, …) or a credential id
   */
  async refreshToken(input: unknown): Promise<RefreshOutput> {
    const { target } = parseInput(RefreshInputSchema, input, 'refreshToken');
    let credentials: DiscoveredCredential[];
    if ((CLI_KEYS as readonly string[]).includes(target)) {
      const sources = sourcesOfCli(target as CliKey);
      credentials = (await scanSources({ env: this.#env, sources })).credentials;
      if (credentials.length === 0) {
        // The CLI's own source comes first in CLI_KEY_OF_SOURCE (kimi-cli before kimi-code).
        const source = sources[0] as SourceId;
        const hint = refreshMethodsFor(source, LOGIN_PROVIDER_OF_CLI[target as CliKey], 'oauth', false);
        return RefreshOutputSchema.parse({
          target,
          credentials: [],
          methods: hint,
          note: `No ${target} login found; log in with the CLI or paste a key.`,
        });
      }
    } else {
      const found = (this.#last?.result ?? (await scanSources({ env: this.#env }))).credentials.filter(
        (c) => c.id === target,
      );
      if (found.length === 0) {
        throw new CtdError(
          'NOT_FOUND',
          `unknown CLI or credential "${target}"; CLIs: ${CLI_KEYS.join(', ')}`,
          {
            details: { target },
          },
        );
      }
      credentials = found;
    }
    const methods = new Map<string, RefreshOutput['methods'][number]>();
    for (const c of credentials) for (const m of c.refreshMethods) methods.set(JSON.stringify(m), m);
    return RefreshOutputSchema.parse({
      target,
      credentials: credentials.map((c) => ({
        id: c.id,
        label: c.label,
        provider: c.provider,
        methods: c.refreshMethods,
      })),
      methods: [...methods.values()].filter((m) => m.type !== 'oauth-refresh'),
      note: 'Automatic OAuth refresh (under the CLI’s own lock) comes with the refresher; until then, use one of these methods.',
    });
  }

  /**
   * Validates a pasted key or token with that CLI's provider, imports it when valid, and records it.
   *
   * @param input - `{ cli, token }`; the token is never echoed back
   */
  async importManual(input: unknown): Promise<{ credential: CredentialView }> {
    const { cli, token } = parseInput(ImportManualInputSchema, input, 'importManual');
    const source = SOURCE_OF_CLI[cli];
    const candidates = manualCandidates(cli, token).map((c) =>
      makeCredential({ ...c, source, secret: token, origin: { type: 'manual', via: 'import-manual' } }),
    );
    const validations = await (await this.#validator())(candidates, {
      env: this.#env,
      ...(this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : {}),
    });
    // Kimi keys may be Kimi Code or Moonshot keys: take the first candidate its provider accepts.
    let index = validations.findIndex((v) => v.status === 'valid');
    if (index < 0) index = 0;
    const credential = candidates[index] as DiscoveredCredential;
    const validation = validations[index];
    const now = this.#now();
    await recordScan(
      await this.history(),
      [toCredentialInfo(credential)],
      validation ? [validation] : [],
      now,
    );
    // Pasting a token by hand is the explicit opt-in the policy asks for; validation is always required.
    const manualConfig: ServiceConfig = {
      ...this.config,
      validateTokens: true,
      cliSources: {
        ...this.config.cliSources,
        [cli]: { ...this.config.cliSources[cli], enabled: true, importLogins: true },
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
    await this.#running?.catch(() => {});
    await this.#history?.close();
  }
}

type ManualCandidate = Pick<Parameters<typeof makeCredential>[0], 'provider' | 'kind' | 'label' | 'baseUrl'>;

function manualCandidates(cli: keyof typeof SOURCE_OF_CLI, token: string): ManualCandidate[] {
  switch (cli) {
    case 'codex':
      return [{ provider: 'openai', kind: 'api_key', label: 'OpenAI API key (pasted)' }];
    case 'gemini':
      return [{ provider: 'google', kind: 'api_key', label: 'Gemini API key (pasted)' }];
    case 'qwen':
      return token.startsWith('sk-sp-')
        ? [
            {
              provider: 'qwen',
              kind: 'api_key',
              label: 'Coding Plan key (pasted)',
              baseUrl: 'https://coding.dashscope.aliyuncs.com/v1',
            },
          ]
        : [{ provider: 'qwen', kind: 'api_key', label: 'Model Studio key (pasted)' }];
    case 'kimi':
      return [
        {
          provider: 'kimi',
          kind: 'api_key',
          label: 'Kimi Code key (pasted)',
          baseUrl: 'https://api.kimi.com/coding/v1',
        },
        { provider: 'moonshot', kind: 'api_key', label: 'Moonshot key (pasted)' },
      ];
    case 'claude':
      return token.startsWith('sk-ant-oat')
        ? [{ provider: 'anthropic', kind: 'token', label: 'Claude token (pasted)' }]
        : [{ provider: 'anthropic', kind: 'api_key', label: 'Anthropic API key (pasted)' }];
  }
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
