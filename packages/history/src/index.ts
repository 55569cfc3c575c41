export type { FileHistoryStoreOptions, ParsedHistory } from './file-store.ts';
export { FileHistoryStore, openHistoryStore, parseHistoryText } from './file-store.ts';
export type { FileLockOptions } from './lock.ts';
export { FileLock, processAlive } from './lock.ts';
export type { MemoryHistoryStoreOptions } from './memory-store.ts';
export { createMemoryHistoryStore, MemoryHistoryStore } from './memory-store.ts';
export type { HistoryPathOptions } from './paths.ts';
export { HISTORY_FILE_NAME, resolveHistoryPath } from './paths.ts';
export type { RecordScanResult } from './scan.ts';
export { applyValidationResult, recordScan, summarizeValidation } from './scan.ts';
export type {
  CooldownCause,
  CredentialNeed,
  CredentialStatus,
  HistoryFile,
  HistoryRecord,
  ValidationSummary,
} from './schema.ts';
export {
  COOLDOWN_CAUSES,
  CooldownCauseSchema,
  CREDENTIAL_STATUSES,
  CredentialNeedSchema,
  CredentialStatusSchema,
  HISTORY_FORMAT,
  HISTORY_SCHEMA_VERSION,
  HistoryFileSchema,
  HistoryRecordSchema,
  ModelCooldownSchema,
  ValidationSummarySchema,
} from './schema.ts';
export { toRecord as toHistoryRecord } from './state.ts';
export type {
  CooldownChange,
  CredentialRef,
  HistoryEntry,
  HistoryNotice,
  HistoryStore,
  ModelCooldown,
  Sighting,
  UsageResult,
} from './types.ts';
