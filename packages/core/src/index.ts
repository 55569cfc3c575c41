export type {
  Account,
  CheckedLocation,
  CredentialInfo,
  CredentialKind,
  DiscoveredCredential,
  Origin,
  PolicyNote,
  ProviderId,
  RefreshMethod,
  ScanIssue,
  ScanReport,
  SourceId,
} from './credential.ts';
export {
  AccountSchema,
  CheckedLocationSchema,
  CredentialInfoSchema,
  CredentialKindSchema,
  OriginSchema,
  PolicyNoteSchema,
  ProviderIdSchema,
  RefreshMethodSchema,
  ScanIssueSchema,
  ScanReportSchema,
  SourceIdSchema,
  toCredentialInfo,
} from './credential.ts';
export type { CtdErrorOptions } from './errors.ts';
export {
  CtdError,
  CtdErrorCode,
  EXIT_CODE_OF_ERROR,
  ExitCode,
  exitCodeForError,
  toCtdError,
} from './errors.ts';
export { fnv1a } from './fnv.ts';
export { createRedactor, hashPrefix, MIN_REDACTED_FRAGMENT, maskSecret, redact } from './secrets.ts';
export { escapeControlChars, escapeControlCharsDeep } from './text.ts';
export type { ValidationResult, ValidationStatus } from './validation.ts';
export {
  DEFAULT_VALIDATION_TIMEOUT_MS,
  VALIDATION_STATUSES,
  ValidationResultSchema,
  ValidationStatusSchema,
} from './validation.ts';
export { useEnglishZodMessages } from './zod-messages.ts';
