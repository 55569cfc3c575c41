// Build time only (scripts/write-manifest.ts and the manifest test): the content of
// openclaw.plugin.json, from the adapters and the zod config schema. The running plugin reads the
// generated file instead (index.ts), so zod never builds a JSON Schema in the gateway.
import { ALL_ADAPTERS } from '@ctd/scanners';
import { CONFIG_UI_HINTS, ServiceConfigSchema } from '@ctd/service';
import * as z from 'zod/mini';
import pkg from '../package.json' with { type: 'json' };
import { CONTROL_UI_ENTRY } from './control-ui/entry.ts';
import { CLI_COMMAND, PLUGIN_ID, PLUGIN_NAME } from './manifest.ts';

/** One-line description of the plugin. */
export const PLUGIN_DESCRIPTION = `Finds the AI-CLI logins on this machine (${ALL_ADAPTERS.filter(
  (a) => a.login,
)
  .map((a) => a.displayName)
  .join(', ')}), checks them, and imports the working ones as auth profiles.`;

/** The JSON Schema of the plugin config, generated from the zod schema (inputs: every field optional). */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(ServiceConfigSchema, { io: 'input' }) as Record<
    string,
    unknown
  >;
  return schema;
}

/** The content of `openclaw.plugin.json`. */
export function buildManifest(): Record<string, unknown> {
  return {
    id: PLUGIN_ID,
    name: PLUGIN_NAME,
    description: PLUGIN_DESCRIPTION,
    version: pkg.version,
    activation: { onStartup: true },
    cliCommands: [
      { name: CLI_COMMAND, description: 'Find, check and import AI-CLI logins', hasSubcommands: true },
    ],
    uiHints: CONFIG_UI_HINTS,
    configSchema: configJsonSchema(),
    controlUi: { entry: CONTROL_UI_ENTRY },
  };
}
