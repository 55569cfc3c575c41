export {
  ALL_ADAPTERS,
  claudeCodeAdapter,
  codexCliAdapter,
  environmentAdapter,
  geminiCliAdapter,
  kimiCliAdapter,
  kimiCodeAdapter,
  opencodeAdapter,
  qwenCliAdapter,
} from './adapters/index.ts';
export { SourceCollector } from './collector.ts';
export type { ScanContextOptions } from './context.ts';
export { createScanContext, DEFAULT_MAX_FILE_BYTES } from './context.ts';
export type { CredentialDraft } from './credential.ts';
export { makeCredential } from './credential.ts';
export { decodeJwtPayload, jwtExpiryMs } from './jwt.ts';
export { KEY_PAGES, LOGIN_COMMANDS, policyFor, refreshMethodsFor } from './policy.ts';
export type { ReadResult } from './read.ts';
export { parseDotEnv, parseJsonText, parseTomlText, readTextFile } from './read.ts';
export type { ScanOptions, ScanResult } from './scan.ts';
export { scan, toScanReport } from './scan.ts';
export type {
  LockProtocol,
  RefreshedTokens,
  ScanContext,
  SourceAdapter,
  SourceScanResult,
  StoreFile,
  StoreFileFormat,
} from './types.ts';
// Validation (network code) has its own entry point, `@ctd/scanners/validate`, so that offline
// users never load it.
