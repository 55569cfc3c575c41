/**
 * The plugin configuration block from the project's spec, as a user would paste it (JSON5 comments
 * aside): every configuration parser must accept it verbatim.
 */
export const SPEC_CONFIG_BLOCK = {
  scanOnStartup: true,
  autoImport: true,
  validateTokens: true,
  rotationStrategy: 'round-robin',
  cliSources: {
    'kimi-cli': { enabled: true, priority: 1 },
    'codex-cli': { enabled: true, priority: 2 },
    'qwen-cli': { enabled: true, priority: 3 },
    'gemini-cli': { enabled: true, priority: 4 },
  },
} as const;
