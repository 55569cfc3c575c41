// The plugin's names, with no imports: the entry, rotation and the CLI read them at load time, so
// this module must not pull the scanners, the service or zod into the entry's static graph (the
// gateway loads every plugin module twice at start; see index.ts). The manifest itself is built
// at build time by manifest-build.ts.

/** The plugin id: the key of `plugins.entries.<id>` in OpenClaw's config. */
export const PLUGIN_ID = 'cli-token-discovery';
/** The root CLI command the plugin adds: `openclaw token-discovery …`. */
export const CLI_COMMAND = 'token-discovery';
/** Human name of the plugin. */
export const PLUGIN_NAME = 'CLI Token Discovery';
