export type { Background, BackgroundEvent, BackgroundOptions } from './background.ts';
export { expiryInput, startBackground } from './background.ts';
export type * from './client.ts';
export { OPERATIONS } from './client.ts';
export type { CliSourceConfig, ParsedServiceConfig, ServiceConfig, ServiceConfigInput } from './config.ts';
export {
  CONFIG_UI_HINTS,
  parseServiceConfig,
  ROTATION_STRATEGIES,
  ServiceConfigSchema,
  sourceConfig,
} from './config.ts';
export type { ImportAction, ImportHostFacts, ImportPlan, SkipAction } from './import-plan.ts';
export { planImport } from './import-plan.ts';
export type { RefreshRunOptions } from './relogin.ts';
export {
  ClearHistoryInputSchema,
  ClearHistoryOutputSchema,
  CredentialStatusSchema,
  CredentialViewSchema,
  GetHistoryInputSchema,
  GetHistoryOutputSchema,
  ImportManualInputSchema,
  ImportManualOutputSchema,
  ImportOutcomeSchema,
  RefreshInputSchema,
  RefreshOutputSchema,
  RotationProfileStatusSchema,
  RotationProviderStatusSchema,
  ScanInputSchema,
  ScanOutputSchema,
  StatusInputSchema,
  StatusOutputSchema,
} from './schemas.ts';
export type { CredentialImporter, TokenDiscoveryServiceOptions, ValidateFn } from './service.ts';
export { createTokenDiscoveryService, TokenDiscoveryService } from './service.ts';
