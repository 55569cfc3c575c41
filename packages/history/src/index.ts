export { processAlive } from '@ctd/core/node';
export type { ParsedHistory } from './codec.ts';
export { isRecognisablyHistory, parseHistoryText, toRecord as toHistoryRecord } from './codec.ts';
export type { CooldownPolicy, CooldownTrigger } from './cooldown.ts';
export { cooldownUntil, DEFAULT_COOLDOWNS, resolveCooldownPolicy } from './cooldown.ts';
export type {
  BackendHealth,
  ClearOutcome,
  HistoryDriver,
  SharedPickRequest,
  SharedPickResult,
} from './driver.ts';
export { MemoryDriver } from './driver.ts';
export type { FileDriverOptions, FileLockOptions } from './file-driver.ts';
export { DEFAULT_HISTORY_MAX_BYTES, FileDriver } from './file-driver.ts';
export type { ClearHistoryFileResult, FileHistoryStoreOptions } from './file-store.ts';
export { clearHistoryFile, FileHistoryStore, openHistoryStore } from './file-store.ts';
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
// For driver authors: the delta a store hands to `apply` / `commit`, and the merge rules.
export type { Delta, EntryMap, MutableEntry } from './state.ts';
export { applyDelta, emptyEntry, mergeBatch } from './state.ts';
export type { HistoryStoreOptions } from './store.ts';
export { createHistoryStore, DriverHistoryStore } from './store.ts';
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
