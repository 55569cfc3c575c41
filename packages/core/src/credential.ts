import * as z from 'zod/mini';
import type { Secret } from './node/secret.ts';
import { ValidationResultSchema } from './validation.ts';
import { useEnglishZodMessages } from './zod-messages.ts';

useEnglishZodMessages();

/**
 * Schema of a source id: one adapter each (`@ctd/scanners` lists them). The contracts stay open so
 * that adding a CLI touches only its adapter folder and the adapter list.
 */
export const SourceIdSchema = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9-]{0,63}$/, 'a source id (lowercase letters, digits, -)'));
/** A credential source: one AI CLI's store, or the process environment. */
export type SourceId = z.infer<typeof SourceIdSchema>;

/** Schema of a provider id. */
export const ProviderIdSchema = z.string().check(z.minLength(1));
/** A provider id: OpenClaw's id where OpenClaw has the provider (`openai`, `anthropic`, …), else the source's own. */
export type ProviderId = z.infer<typeof ProviderIdSchema>;

/** Schema of a credential kind. */
export const CredentialKindSchema = z.enum(['api_key', 'oauth', 'token']);
/** `api_key`: a long-lived key; `oauth`: an access token with a refresh token; `token`: a bearer token that cannot be refreshed. */
export type CredentialKind = z.infer<typeof CredentialKindSchema>;

/** Schema of where a credential was found. Never holds content, only the place. */
export const OriginSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file'), path: z.string(), field: z.string() }),
  z.object({ type: z.literal('env'), variable: z.string() }),
  z.object({ type: z.literal('env-file'), path: z.string(), variable: z.string() }),
  z.object({ type: z.literal('manual'), via: z.string() }),
]);
/** Where a credential was found: a file and field, an environment variable, a variable in a `.env` file, or pasted by hand (`manual`). */
export type Origin = z.infer<typeof OriginSchema>;

/** Schema of the account facts a store gives. */
export const AccountSchema = z.object({
  email: z.optional(z.string()),
  plan: z.optional(z.string()),
  accountId: z.optional(z.string()),
  userId: z.optional(z.string()),
  organization: z.optional(z.string()),
});
/** Account facts from the store (email, plan, account id): never secrets. */
export type Account = z.infer<typeof AccountSchema>;

/** Schema of a dated provider policy note. */
export const PolicyNoteSchema = z.object({
  /** `allowed`: use by other tools is fine; `warn`: unclear or changing; `forbidden`: the provider forbids it. */
  stance: z.enum(['allowed', 'warn', 'forbidden']),
  /** Whether importing into another tool needs an explicit opt-in. */
  requiresOptIn: z.boolean(),
  note: z.string(),
  /** The day the note was last checked, `YYYY-MM-DD`. */
  asOf: z.string(),
});
/** What the provider says about using this login from another tool, and when we last checked. */
export type PolicyNote = z.infer<typeof PolicyNoteSchema>;

/** Schema of a way to renew or replace a credential. */
export const RefreshMethodSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('oauth-refresh'), description: z.string() }),
  z.object({ type: z.literal('browser-login'), description: z.string(), url: z.optional(z.string()) }),
  z.object({ type: z.literal('cli-login'), description: z.string(), command: z.string() }),
  z.object({ type: z.literal('key-page'), description: z.string(), url: z.string() }),
  z.object({ type: z.literal('paste-key'), description: z.string() }),
]);
/** One way to renew or replace a credential: refresh it, log in again, or get a new key. */
export type RefreshMethod = z.infer<typeof RefreshMethodSchema>;

/** Schema of the serializable (secret-free) view of a discovered credential. */
export const CredentialInfoSchema = z.object({
  /** Stable id: survives a token refresh (source + provider + account, key hash, or store location). */
  id: z.string(),
  source: SourceIdSchema,
  provider: ProviderIdSchema,
  kind: CredentialKindSchema,
  /** Human label, e.g. "ChatGPT login" or "API key". */
  label: z.string(),
  /** SHA-256 hex of the secret (the API key, or the OAuth access token). */
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** Masked preview of the secret. */
  preview: z.string(),
  /** When the access token expires (ISO 8601), or null when unknown or never. */
  expiresAt: z.nullable(z.string()),
  /** When the refresh token itself ends (ISO 8601), where the store says (e.g. a `refreshTokenExpiresAt` field). */
  refreshExpiresAt: z.optional(z.string()),
  account: AccountSchema,
  origin: OriginSchema,
  /** Other places the same secret was found. */
  alsoFoundAt: z.optional(z.array(OriginSchema)),
  hasRefreshToken: z.boolean(),
  /** The API base URL this credential is meant for, when the store says (e.g. a `resource_url` field). */
  baseUrl: z.optional(z.string()),
  policy: PolicyNoteSchema,
  refreshMethods: z.array(RefreshMethodSchema),
  /** Where the provider issues new API keys, when it has such a page. */
  keyPage: z.nullable(z.string()),
});
/** The serializable, secret-free view of a discovered credential. */
export type CredentialInfo = z.infer<typeof CredentialInfoSchema>;

/**
 * A discovered credential: its public facts plus the secrets, held in memory only.
 * `secret` and `refreshSecret` are non-enumerable, so `JSON.stringify` never includes them.
 */
export interface DiscoveredCredential extends CredentialInfo {
  /** The API key or access token. */
  readonly secret: Secret;
  /** The refresh token, when the store has one. */
  readonly refreshSecret?: Secret | undefined;
}

/** Schema of a problem met while scanning one location. */
export const ScanIssueSchema = z.object({
  source: SourceIdSchema,
  /** The file (or variable) concerned. */
  path: z.string(),
  /** Stable code from `CtdErrorCode`. */
  code: z.string(),
  /** What went wrong, without any file content or secret. */
  message: z.string(),
  /** `error`: something could not be read; `info`: worth knowing (e.g. the login is in the OS keyring). */
  severity: z.enum(['error', 'info']),
});
/** A problem met while scanning one location. */
export type ScanIssue = z.infer<typeof ScanIssueSchema>;

/** Schema of one location a scan looked at, for `--explain`. */
export const CheckedLocationSchema = z.object({
  source: SourceIdSchema,
  /** A file path or an environment variable name (`$NAME`). */
  location: z.string(),
  result: z.enum(['found', 'empty', 'missing', 'skipped', 'error']),
  /** Why it was skipped or what it held (never the content). */
  reason: z.string(),
});
/** One location a scan looked at, and what came of it. */
export type CheckedLocation = z.infer<typeof CheckedLocationSchema>;

/** Schema of the JSON scan report (`ctd scan --json`). */
export const ScanReportSchema = z.object({
  version: z.literal(1),
  scannedAt: z.string(),
  /** Each credential, with the result of its live check when the scan validated (not `--offline`). */
  credentials: z.array(z.extend(CredentialInfoSchema, { validation: z.optional(ValidationResultSchema) })),
  issues: z.array(ScanIssueSchema),
  locations: z.optional(z.array(CheckedLocationSchema)),
});
/** The serializable scan report. */
export type ScanReport = z.infer<typeof ScanReportSchema>;

/**
 * Returns the secret-free view of a credential (a plain object safe to serialize).
 *
 * @param credential - a discovered credential
 */
export function toCredentialInfo(credential: CredentialInfo): CredentialInfo {
  const { secret: _s, refreshSecret: _r, ...rest } = credential as DiscoveredCredential;
  return { ...rest };
}
