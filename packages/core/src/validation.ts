import * as z from 'zod/mini';
import { useEnglishZodMessages } from './zod-messages.ts';

useEnglishZodMessages();

/** Default timeout of one live check's HTTP request, in ms. */
export const DEFAULT_VALIDATION_TIMEOUT_MS = 5000;

/** Every status a live check can end in. */
export const VALIDATION_STATUSES = [
  'valid',
  'invalid',
  'expired',
  'refreshable',
  'rate_limited',
  'quota_exhausted',
  'no_access',
  'unknown',
] as const;

/** Schema of a validation status. */
export const ValidationStatusSchema = z.enum(VALIDATION_STATUSES);
/**
 * `valid`: the provider accepted it; `invalid`: rejected (wrong or revoked); `expired`: past its
 * expiry with no way to refresh; `refreshable`: access token expired or rejected but a refresh
 * token exists; `rate_limited`: try again later; `quota_exhausted`: plan or balance used up;
 * `no_access`: the key is fine but not allowed (region, permission, membership); `unknown`: no
 * well-formed answer from the provider (network error, timeout, proxy page).
 */
export type ValidationStatus = z.infer<typeof ValidationStatusSchema>;

/** Schema of the result of one live check. Never holds a secret. */
export const ValidationResultSchema = z.object({
  credentialId: z.string(),
  status: ValidationStatusSchema,
  /** Why, in a sentence (the provider's error code or message where it gave one; never a secret). */
  reason: z.string(),
  /** The HTTP status the provider answered with, when it answered. */
  httpStatus: z.optional(z.number().check(z.int())),
  /** The provider's own error code (e.g. `invalid_api_key`, `API_KEY_INVALID`). */
  providerCode: z.optional(z.string()),
  /** The endpoint checked (URL without query string or secrets). */
  endpoint: z.optional(z.string()),
  checkedAt: z.string(),
  latencyMs: z.number(),
  /** When a rate-limited credential may be tried again (ISO 8601). */
  retryAfter: z.optional(z.string()),
  /** Quota or plan facts the endpoint returned (usage windows, balance, tier). */
  quota: z.optional(z.record(z.string(), z.unknown())),
});
/** The result of one live check. */
export type ValidationResult = z.infer<typeof ValidationResultSchema>;
