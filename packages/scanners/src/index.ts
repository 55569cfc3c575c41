export { ALL_ADAPTERS, SOURCE_IDS } from './adapters/index.ts';
export { KnownProvider } from './adapters/providers.ts';
export type { AdapterList } from './adapters/registry.ts';
export {
  adapterById,
  allProviderIds,
  keyPageFor,
  policyFor,
  providerFacts,
  refreshMethodsFor,
  sourcesForName,
} from './adapters/registry.ts';
export { SourceCollector } from './collector.ts';
export type { ScanContextOptions } from './context.ts';
export { createScanContext, DEFAULT_MAX_FILE_BYTES } from './context.ts';
export type { CredentialDraft } from './credential.ts';
export { makeCredential } from './credential.ts';
export { decodeJwtPayload, jwtExpiryMs } from './jwt.ts';
export { API_KEY_POLICY, UNKNOWN_LOGIN_POLICY } from './policy.ts';
export type { ReadResult } from './read.ts';
export { parseDotEnv, parseJsonText, parseTomlText, readTextFile } from './read.ts';
export type { ScanOptions, ScanResult } from './scan.ts';
export { scan, toScanReport } from './scan.ts';
export type {
  LockProtocol,
  LoginCommands,
  OAuthRefreshAnswer,
  OAuthRefreshRequest,
  OAuthRefreshSpec,
  PastedCandidate,
  ProviderFacts,
  RefreshedTokens,
  ScanContext,
  SourceAdapter,
  SourceFacts,
  SourceScanResult,
  StoreFile,
  StoreFileFormat,
} from './types.ts';
// Validation (network code) has its own entry point, `@ctd/scanners/validate`, so that offline
// users never load it.
