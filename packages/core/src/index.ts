export { CtdError, CtdErrorCode, toCtdError } from './errors.ts';
export type { CtdErrorOptions } from './errors.ts';
export { Secret, hashPrefix, maskSecret, redact, sha256Hex } from './secrets.ts';
export {
  AccountSchema,
  CheckedLocationSchema,
  CredentialInfoSchema,
  CredentialKindSchema,
  KnownProvider,
  OriginSchema,
  PolicyNoteSchema,
  ProviderIdSchema,
  RefreshMethodSchema,
  SOURCE_IDS,
  ScanIssueSchema,
  ScanReportSchema,
  SourceIdSchema,
  toCredentialInfo,
} from './credential.ts';
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
export { VALIDATION_STATUSES, ValidationResultSchema, ValidationStatusSchema } from './validation.ts';
export type { ValidationResult, ValidationStatus } from './validation.ts';
