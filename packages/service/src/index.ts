export type { CliKey, ServiceConfig, ServiceConfigInput } from './config.ts';
export {
  CLI_KEY_OF_SOURCE,
  CLI_KEYS,
  CONFIG_UI_HINTS,
  DEFAULT_PRIORITIES,
  parseServiceConfig,
  ServiceConfigSchema,
  sourcesOfCli,
} from './config.ts';
export type { ImportAction, ImportHostFacts, ImportPlan, SkipAction } from './import-plan.ts';
export { planImport } from './import-plan.ts';
