import type { SourceId } from '@ctd/core';
import { z } from 'zod';

/** The CLI keys of `cliSources`: one per CLI a user thinks of (Kimi CLI and Kimi Code share `kimi`). */
export const CLI_KEYS = ['kimi', 'codex', 'qwen', 'gemini', 'claude', 'opencode', 'env'] as const;
/** A `cliSources` key. */
export type CliKey = (typeof CLI_KEYS)[number];

/** Which `cliSources` key governs each scanner source. */
export const CLI_KEY_OF_SOURCE: Readonly<Record<SourceId, CliKey>> = {
  'codex-cli': 'codex',
  'gemini-cli': 'gemini',
  'qwen-cli': 'qwen',
  'kimi-cli': 'kimi',
  'kimi-code': 'kimi',
  'claude-code': 'claude',
  opencode: 'opencode',
  environment: 'env',
};

/** The scanner sources behind each CLI key. */
export function sourcesOfCli(cli: CliKey): SourceId[] {
  return (Object.entries(CLI_KEY_OF_SOURCE) as [SourceId, CliKey][])
    .filter(([, k]) => k === cli)
    .map(([s]) => s);
}

/** Default priority per CLI (lower is preferred), from the project's design. */
export const DEFAULT_PRIORITIES: Readonly<Record<CliKey, number>> = {
  kimi: 1,
  codex: 2,
  qwen: 3,
  gemini: 4,
  claude: 5,
  opencode: 6,
  env: 7,
};

const cliSourceSchema = (cli: CliKey) =>
  z
    .object({
      enabled: z.boolean().default(true).describe(`Scan ${cli}'s store.`),
      priority: z
        .number()
        .int()
        .min(0)
        .default(DEFAULT_PRIORITIES[cli])
        .describe('Rotation priority of its credentials (lower is preferred).'),
      importLogins: z
        .boolean()
        .default(false)
        .describe(
          "Import this CLI's subscription logins even where the provider's policy asks for an explicit opt-in.",
        ),
    })
    .strict()
    .prefault({});

/** Schema of the plugin / service configuration; the single source of the manifest's JSON Schema. */
export const ServiceConfigSchema = z
  .object({
    scanOnStartup: z.boolean().default(true).describe('Scan for CLI logins when the gateway starts.'),
    autoImport: z.boolean().default(true).describe('Import valid credentials into auth profiles.'),
    validateTokens: z
      .boolean()
      .default(true)
      .describe('Check each credential with its provider before import.'),
    rotationStrategy: z
      .enum(['round-robin', 'least-used', 'priority', 'health-based'])
      .default('round-robin')
      .describe('How agents are spread over working credentials.'),
    cliSources: z
      .object(
        Object.fromEntries(CLI_KEYS.map((k) => [k, cliSourceSchema(k)])) as Record<
          CliKey,
          ReturnType<typeof cliSourceSchema>
        >,
      )
      .strict()
      .prefault({}),
  })
  .strict();

/** The service configuration with defaults applied. */
export type ServiceConfig = z.output<typeof ServiceConfigSchema>;
/** The service configuration as written by a user (everything optional). */
export type ServiceConfigInput = z.input<typeof ServiceConfigSchema>;

/**
 * Parses a configuration, applying defaults.
 *
 * @param input - user configuration (e.g. `plugins.entries.cli-token-discovery.config`)
 * @returns `{ ok: true, value }` or `{ ok: false, issues }` with one line per problem
 */
export function parseServiceConfig(
  input: unknown,
): { ok: true; value: ServiceConfig } | { ok: false; issues: string[] } {
  const r = ServiceConfigSchema.safeParse(input ?? {});
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
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
    cliSources: { label: 'CLI sources', advanced: true },
    ...Object.fromEntries(
      CLI_KEYS.flatMap((k) => [
        [`cliSources.${k}.enabled`, { label: `Scan ${k}` }],
        [`cliSources.${k}.priority`, { label: `${k} priority`, advanced: true }],
        [
          `cliSources.${k}.importLogins`,
          { label: `Import ${k} logins despite policy warnings`, advanced: true },
        ],
      ]),
    ),
  };
