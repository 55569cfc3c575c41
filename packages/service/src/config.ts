import { type SourceId, useEnglishZodMessages } from '@ctd/core';
import type { Strategy } from '@ctd/rotator';
import { ALL_ADAPTERS, type SourceAdapter } from '@ctd/scanners';
import * as z from 'zod/mini';

useEnglishZodMessages();

/** One source's settings, with defaults applied. */
export interface CliSourceConfig {
  /** Scan this source. */
  readonly enabled: boolean;
  /** Rotation priority of its credentials (lower is preferred). */
  readonly priority: number;
  /** Import its subscription logins even where the provider's policy asks for an explicit opt-in. */
  readonly importLogins: boolean;
}

// The rotator's strategies, named here rather than imported: the rotator is loaded only when a
// rotation is asked for (a scan has no use for it). The two lists cannot drift apart: each
// strategy must be in both (the check below) and config.test.ts compares them.
const STRATEGIES = [
  'round-robin',
  'least-used',
  'priority',
  'health-based',
] as const satisfies readonly Strategy[];
type MissingStrategy = Exclude<Strategy, (typeof STRATEGIES)[number]>;
const everyStrategy: [MissingStrategy] extends [never] ? true : MissingStrategy = true;
void everyStrategy;

/**
 * The rotation strategies `rotationStrategy` accepts (the rotator's), e.g. for a settings form. Read
 * them here rather than off the schema: a `zod/mini` schema has no `.shape` or `.unwrap()`.
 */
export const ROTATION_STRATEGIES: readonly (typeof STRATEGIES)[number][] = STRATEGIES;

const sourceSchema = (adapter: SourceAdapter) =>
  z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true).check(z.describe(`Scan ${adapter.displayName}'s store.`)),
      priority: z
        ._default(z.number().check(z.int(), z.gte(0)), adapter.defaultPriority)
        .check(z.describe('Rotation priority of its credentials (lower is preferred).')),
      importLogins: z
        ._default(z.boolean(), false)
        .check(
          z.describe(
            "Import this source's subscription logins even where the provider's policy asks for an explicit opt-in.",
          ),
        ),
    }),
    {},
  );

/** The short keys of version 0.1 (an adapter's `aliases`), each standing for the sources that share it. */
function aliasTable(adapters: readonly SourceAdapter[]): Map<string, SourceId[]> {
  const table = new Map<string, SourceId[]>();
  for (const adapter of adapters) {
    for (const alias of adapter.aliases) {
      if (alias === adapter.id) continue;
      table.set(alias, [...(table.get(alias) ?? []), adapter.id]);
    }
  }
  return table;
}

/** Where the usage history and the rotation state live: one file per host, or Redis shared by several gateways. */
const HistoryBackendSchema = z
  .prefault(
    z.strictObject({
      backend: z
        ._default(z.enum(['file', 'redis']), 'file')
        .check(
          z.describe(
            '"file": one file on this host; "redis": shared by every gateway that uses the same Redis.',
          ),
        ),
      url: z
        .optional(z.string().check(z.regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')))
        .check(
          z.describe(
            'redis:// or rediss:// (TLS) URL, with an ACL user if any. Put the password in $CTD_REDIS_PASSWORD rather than here; it is never logged either way.',
          ),
        ),
      keyPrefix: z
        ._default(z.string().check(z.minLength(1)), 'ctd:{history}:')
        .check(z.describe('Prefix of every Redis key (keep a {hash tag} in it for Redis Cluster).')),
    }),
    {},
  )
  .check(
    z.refine((h) => h.backend !== 'redis' || h.url !== undefined, {
      message: 'history.url is required when history.backend is "redis"',
      path: ['url'],
    }),
  );

const aliasSchema = (alias: string, sources: readonly SourceId[]) =>
  z
    .optional(
      z.strictObject({
        enabled: z.optional(z.boolean()),
        priority: z.optional(z.number().check(z.int(), z.gte(0))),
        importLogins: z.optional(z.boolean()),
      }),
    )
    .check(
      z.describe(
        `Deprecated short key: use ${sources.map((s) => `"${s}"`).join(' and ')} instead of "${alias}".`,
      ),
    );

/**
 * Folds the deprecated short keys into the source ids they stand for. A value given under the
 * source id wins over the same field given under its short key.
 */
function foldAliases(input: unknown, aliases: Map<string, SourceId[]>): unknown {
  if (!isRecord(input) || !isRecord(input.cliSources)) return input;
  const cliSources: Record<string, unknown> = { ...input.cliSources };
  for (const [alias, sources] of aliases) {
    const aliased = cliSources[alias];
    if (!isRecord(aliased)) continue;
    delete cliSources[alias];
    for (const source of sources) {
      const own = cliSources[source];
      cliSources[source] = isRecord(own) ? { ...aliased, ...own } : { ...aliased };
    }
  }
  return { ...input, cliSources };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the configuration schema for an adapter list: one `cliSources` key per source id, plus
 * the deprecated short keys (aliases), which are folded into the source ids they stand for.
 *
 * @param adapters - the sources the configuration governs
 */
export function serviceConfigSchema(adapters: readonly SourceAdapter[] = ALL_ADAPTERS) {
  const aliases = aliasTable(adapters);
  // Classic zod's `preprocess(fn, schema)` is this pipe (zod/mini has no `preprocess`).
  return z.pipe(
    z.transform((input: unknown) => foldAliases(input, aliases)),
    z.strictObject({
      scanOnStartup: z
        ._default(z.boolean(), true)
        .check(z.describe('Scan for CLI logins when the gateway starts.')),
      autoImport: z
        ._default(z.boolean(), true)
        .check(z.describe('Import valid credentials into auth profiles.')),
      validateTokens: z
        ._default(z.boolean(), true)
        .check(z.describe('Check each credential with its provider before import.')),
      rotationStrategy: z
        ._default(z.enum(STRATEGIES), 'round-robin')
        .check(z.describe('How agents are spread over working credentials.')),
      autoRefresh: z
        ._default(z.boolean(), true)
        .check(
          z.describe(
            "Refresh OAuth logins before they expire, the CLI's own way (under its lock, written back to its store).",
          ),
        ),
      refreshAheadMinutes: z
        ._default(z.number().check(z.gte(0), z.lte(24 * 60)), 0)
        .check(
          z.describe(
            "Refresh this many minutes before the CLI's own refresh moment (0: at the CLI's moment).",
          ),
        ),
      expiryWarningHours: z
        ._default(z.number().check(z.gt(0), z.lte(24 * 365)), 24)
        .check(z.describe('Warn this many hours before a token that nothing renews expires.')),
      watch: z
        ._default(z.boolean(), true)
        .check(z.describe("Watch the CLIs' credential files and re-import a login when it changes on disk.")),
      history: HistoryBackendSchema,
      cliSources: z.pipe(
        z.prefault(
          z.strictObject({
            ...Object.fromEntries(adapters.map((a) => [a.id, sourceSchema(a)])),
            ...Object.fromEntries(
              [...aliases].map(([alias, sources]) => [alias, aliasSchema(alias, sources)]),
            ),
          }),
          {},
        ),
        z.transform(
          (all) =>
            Object.fromEntries(adapters.map((a) => [a.id, all[a.id]])) as Record<SourceId, CliSourceConfig>,
        ),
      ),
    }),
  );
}

/**
 * Schema of the plugin / service configuration for the built-in sources; the single source of the
 * manifest's JSON Schema. `cliSources` is keyed by source id (one per adapter); the
 * short keys of 0.1 (the adapters' `aliases`) are still accepted and folded into the source ids they
 * stand for.
 */
export const ServiceConfigSchema = serviceConfigSchema();

/** The service configuration with defaults applied. */
export type ServiceConfig = z.output<typeof ServiceConfigSchema>;
/** The service configuration as written by a user (everything optional). */
export interface ServiceConfigInput {
  scanOnStartup?: boolean | undefined;
  autoImport?: boolean | undefined;
  validateTokens?: boolean | undefined;
  rotationStrategy?: (typeof STRATEGIES)[number] | undefined;
  autoRefresh?: boolean | undefined;
  refreshAheadMinutes?: number | undefined;
  expiryWarningHours?: number | undefined;
  watch?: boolean | undefined;
  /** Where the history lives: `{ backend: 'redis', url: 'rediss://ctd@redis.internal:6380/0' }` to share it. */
  history?:
    | { backend?: 'file' | 'redis' | undefined; url?: string | undefined; keyPrefix?: string | undefined }
    | undefined;
  /** Keyed by source id (`"example-cli"`); the deprecated short keys (`example`) are accepted too. */
  cliSources?: Record<string, { [K in keyof CliSourceConfig]?: CliSourceConfig[K] | undefined }> | undefined;
}

/** The result of {@link parseServiceConfig}. */
export type ParsedServiceConfig =
  | { ok: true; value: ServiceConfig; warnings: string[] }
  | { ok: false; issues: string[] };

/**
 * Parses a configuration, applying defaults.
 *
 * @param input - user configuration (e.g. `plugins.entries.cli-token-discovery.config`)
 * @param adapters - the sources the configuration governs (the built-in list by default)
 * @returns `{ ok: true, value, warnings }` (one warning per deprecated key) or `{ ok: false, issues }`
 *   with one line per problem
 */
export function parseServiceConfig(
  input: unknown,
  adapters: readonly SourceAdapter[] = ALL_ADAPTERS,
): ParsedServiceConfig {
  const schema = adapters === ALL_ADAPTERS ? ServiceConfigSchema : serviceConfigSchema(adapters);
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const warnings: string[] = [];
  const given = isRecord(input) && isRecord(input.cliSources) ? input.cliSources : {};
  for (const [alias, sources] of aliasTable(adapters)) {
    if (alias in given) {
      warnings.push(
        `cliSources.${alias} is deprecated: use ${sources.map((s) => `cliSources["${s}"]`).join(' and ')}`,
      );
    }
  }
  return { ok: true, value: r.data, warnings };
}

/**
 * The settings of one source (defaults for a source the configuration does not know, e.g. an
 * adapter added by a caller).
 *
 * @param config - the parsed configuration
 * @param source - a source id
 */
export function sourceConfig(config: ServiceConfig, source: SourceId): CliSourceConfig {
  return (
    config.cliSources[source] ?? {
      enabled: true,
      priority: Math.max(0, ...ALL_ADAPTERS.map((a) => a.defaultPriority)) + 1,
      importLogins: false,
    }
  );
}

/** Labels for OpenClaw's config form (`uiHints`), keyed by dot path inside the plugin config. */
export const CONFIG_UI_HINTS: Readonly<Record<string, { label: string; help?: string; advanced?: boolean }>> =
  {
    scanOnStartup: { label: 'Scan on startup', help: 'Look for AI-CLI logins when the gateway starts.' },
    autoImport: { label: 'Import automatically', help: 'Import valid credentials into auth profiles.' },
    validateTokens: {
      label: 'Validate before import',
      help: 'Make one cheap read-only call per credential.',
    },
    rotationStrategy: { label: 'Rotation strategy' },
    autoRefresh: {
      label: 'Refresh logins automatically',
      help: "Refresh OAuth logins before they expire, under the CLI's lock, written back to its store.",
    },
    refreshAheadMinutes: { label: 'Refresh ahead (minutes)', advanced: true },
    expiryWarningHours: {
      label: 'Expiry warning (hours)',
      help: 'Warn this long before a token that nothing renews expires.',
      advanced: true,
    },
    watch: { label: 'Watch credential files', help: 'Re-import a login when its CLI changes it on disk.' },
    history: {
      label: 'Shared history',
      help: 'Several gateways, one pool: keep usage and cooldowns in Redis.',
      advanced: true,
    },
    'history.backend': { label: 'History backend', advanced: true },
    'history.url': {
      label: 'Redis URL',
      help: 'redis:// or rediss://; the password goes in $CTD_REDIS_PASSWORD.',
      advanced: true,
    },
    'history.keyPrefix': { label: 'Redis key prefix', advanced: true },
    cliSources: { label: 'CLI sources', advanced: true },
    ...Object.fromEntries(
      ALL_ADAPTERS.flatMap((a) => [
        [`cliSources.${a.id}.enabled`, { label: `Scan ${a.displayName}` }],
        [`cliSources.${a.id}.priority`, { label: `${a.displayName} priority`, advanced: true }],
        [
          `cliSources.${a.id}.importLogins`,
          { label: `Import ${a.displayName} logins despite policy warnings`, advanced: true },
        ],
      ]),
    ),
  };
