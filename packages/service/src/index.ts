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
export type { CredentialView, ImportOutcome, RefreshOutput, ScanOutput, StatusOutput } from './schemas.ts';
export {
  ClearHistoryInputSchema,
  ClearHistoryOutputSchema,
  CredentialViewSchema,
  GetHistoryInputSchema,
  ImportManualInputSchema,
  ImportManualOutputSchema,
  ImportOutcomeSchema,
  RefreshInputSchema,
  RefreshOutputSchema,
  ScanInputSchema,
  ScanOutputSchema,
  StatusOutputSchema,
} from './schemas.ts';
export type { CredentialImporter, TokenDiscoveryServiceOptions, ValidateFn } from './service.ts';
export { createTokenDiscoveryService, TokenDiscoveryService } from './service.ts';
