import { useEnglishZodMessages, ValidationStatusSchema } from '@ctd/core';
import * as z from 'zod/mini';

useEnglishZodMessages();

/** The schema version this package reads and writes. A file with a higher version is never overwritten. */
export const HISTORY_SCHEMA_VERSION = 1;

/** What a history file says it is, so that a stray JSON file is not mistaken for one. */
export const HISTORY_FORMAT = 'ctd-cli-token-history';

/** Every status a credential can have in the history. */
export const CREDENTIAL_STATUSES = ['active', 'expired', 'invalid', 'revoked'] as const;

/** Schema of a credential status. */
export const CredentialStatusSchema = z.enum(CREDENTIAL_STATUSES);
/**
 * `active`: usable as far as we know; `expired`: past its expiry with no way to refresh;
 * `invalid`: the provider rejected it (or it has no access); `revoked`: the provider says it was revoked.
 */
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>;

/** Every cause of a cooldown. */
export const COOLDOWN_CAUSES = [
  'rate_limited',
  'quota_exhausted',
  'auth_failed',
  'server_error',
  'network_error',
] as const;

/** Schema of a cooldown cause. */
export const CooldownCauseSchema = z.enum(COOLDOWN_CAUSES);
/** Why a credential is cooling down. */
export type CooldownCause = z.infer<typeof CooldownCauseSchema>;

/** Schema of what a credential needs before it is trusted again. */
export const CredentialNeedSchema = z.enum(['revalidation', 'refresh']);
/** `revalidation`: an auth failure needs a live check; `refresh`: the access token needs an OAuth refresh. */
export type CredentialNeed = z.infer<typeof CredentialNeedSchema>;

const iso = z.iso.datetime({ offset: true });
const isoOrNull = z.nullable(iso);

/** Schema of the last live check kept in a record (the secret-free essentials of a `ValidationResult`). */
export const ValidationSummarySchema = z.object({
  status: ValidationStatusSchema,
  reason: z.string(),
  checkedAt: iso,
  httpStatus: z.optional(z.number().check(z.int())),
  providerCode: z.optional(z.string()),
  latencyMs: z.optional(z.number().check(z.nonnegative())),
});
/** The last live check of a credential, as kept in its record. */
export type ValidationSummary = z.infer<typeof ValidationSummarySchema>;

/** Schema of a cooldown that applies to one model only. */
export const ModelCooldownSchema = z.object({
  until: iso,
  cause: CooldownCauseSchema,
  setAt: iso,
});

/** Schema of one credential's record in the history file. Times are ISO 8601. */
export const HistoryRecordSchema = z.object({
  /** The credential's stable id (survives a token refresh). */
  id: z.string().check(z.minLength(1)),
  /** SHA-256 hex of the current secret: never the secret. */
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  source: z.string().check(z.minLength(1)),
  provider: z.string().check(z.minLength(1)),
  firstSeen: isoOrNull,
  lastSeen: isoOrNull,
  lastUsed: isoOrNull,
  usageCount: z.number().check(z.int(), z.nonnegative()),
  successes: z.number().check(z.int(), z.nonnegative()),
  failures: z.number().check(z.int(), z.nonnegative()),
  consecutiveFailures: z.number().check(z.int(), z.nonnegative()),
  lastSuccessAt: isoOrNull,
  lastFailureAt: isoOrNull,
  /** Moving average of reported request latency, in milliseconds. */
  latencyMs: z.nullable(z.number().check(z.nonnegative())),
  status: CredentialStatusSchema,
  statusReason: z.nullable(z.string()),
  statusSetAt: isoOrNull,
  cooldownUntil: isoOrNull,
  cooldownCause: z.nullable(CooldownCauseSchema),
  cooldownSetAt: isoOrNull,
  modelCooldowns: z.record(z.string(), ModelCooldownSchema),
  needs: z.nullable(CredentialNeedSchema),
  needsReason: z.nullable(z.string()),
  needsSetAt: isoOrNull,
  lastValidation: z.nullable(ValidationSummarySchema),
  expiresAt: isoOrNull,
});
/** One credential's record as stored in the history file and exported as JSON. */
export type HistoryRecord = z.infer<typeof HistoryRecordSchema>;

/** Schema of the history file. */
export const HistoryFileSchema = z.object({
  format: z.literal(HISTORY_FORMAT),
  schemaVersion: z.literal(HISTORY_SCHEMA_VERSION),
  updatedAt: iso,
  /** Random id of the write that produced this file; lets a writer tell whether its own write landed. */
  writeId: z.optional(z.string()),
  records: z.record(z.string(), HistoryRecordSchema),
});
/** The whole history file (also the shape of an export). */
export type HistoryFile = z.infer<typeof HistoryFileSchema>;
