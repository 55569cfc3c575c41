import {
  CheckedLocationSchema,
  CredentialInfoSchema,
  RefreshMethodSchema,
  ScanIssueSchema,
  SourceIdSchema,
  useEnglishZodMessages,
  ValidationResultSchema,
  ValidationStatusSchema,
} from '@ctd/core';
import * as z from 'zod/mini';

useEnglishZodMessages();

/** Schema of what happened when a credential was offered to the gateway. */
export const ImportOutcomeSchema = z.object({
  /** `imported`: written; `unchanged`: already there as is; `skipped`: not imported (see reason); `failed`: the write failed; `off`: import is turned off or there is no gateway. */
  status: z.enum(['imported', 'unchanged', 'skipped', 'failed', 'off']),
  profileId: z.optional(z.string()),
  code: z.optional(z.string()),
  reason: z.optional(z.string()),
  whatToDo: z.optional(z.string()),
});
/** What happened when a credential was offered to the gateway. */
export type ImportOutcome = z.infer<typeof ImportOutcomeSchema>;

/** Schema of one credential in a service answer: public facts, its check, and its import. */
export const CredentialViewSchema = z.extend(CredentialInfoSchema, {
  validation: z.optional(ValidationResultSchema),
  import: ImportOutcomeSchema,
});
/** One credential in a service answer. Never holds a secret. */
export type CredentialView = z.infer<typeof CredentialViewSchema>;

/** Schema of the `scan` operation's input. */
export const ScanInputSchema = z.strictObject({
  /** Check each credential with its provider. @default config.validateTokens */
  validate: z.optional(z.boolean()),
  /** Import valid credentials. @default config.autoImport */
  import: z.optional(z.boolean()),
  /** Only these sources (source ids). */
  sources: z.optional(z.array(SourceIdSchema)),
  /** Also list every location checked and why it was skipped. */
  explain: z.optional(z.boolean()),
  /** Also read the OS keychain (opt-in: it may prompt). @default false */
  keychain: z.optional(z.boolean()),
  /** Read the project files the CLIs would read there (walking up). @default none */
  cwd: z.optional(z.string().check(z.minLength(1))),
});

/** Schema of the `scan` operation's output. */
export const ScanOutputSchema = z.object({
  scannedAt: z.string(),
  durationMs: z.number(),
  credentials: z.array(CredentialViewSchema),
  issues: z.array(ScanIssueSchema),
  /** Every location checked (with `explain`). */
  locations: z.optional(z.array(CheckedLocationSchema)),
  summary: z.object({
    found: z.number(),
    valid: z.number(),
    imported: z.number(),
    unchanged: z.number(),
    skipped: z.number(),
    failed: z.number(),
  }),
});
/** The `scan` operation's output. */
export type ScanOutput = z.infer<typeof ScanOutputSchema>;

/** Schema of the `status` operation's input: it takes no params. */
export const StatusInputSchema = z.strictObject({});

/** Schema of one credential in `status`: what the last scan found, merged with its history. */
export const CredentialStatusSchema = z.extend(
  z.required(z.partial(CredentialInfoSchema), { id: true, source: true, provider: true, hash: true }),
  {
    /** False for a credential known only from the history (not found by the last scan). */
    inLastScan: z.boolean(),
    /** The status to show: the last check's, or `expired` past the expiry, or `unchecked`. */
    status: z.union([ValidationStatusSchema, z.enum(['unchecked', 'needs_login'])]),
    /** The last live check, from this process or the history. */
    lastCheck: z.nullable(
      z.object({
        status: ValidationStatusSchema,
        reason: z.string(),
        checkedAt: z.string(),
        httpStatus: z.optional(z.number()),
      }),
    ),
    import: ImportOutcomeSchema,
    usage: z.object({
      count: z.number(),
      lastUsed: z.nullable(z.string()),
      successes: z.number(),
      failures: z.number(),
      consecutiveFailures: z.number(),
    }),
    firstSeen: z.nullable(z.string()),
    lastSeen: z.nullable(z.string()),
    /** Until when the credential is cooling down, or null. */
    cooldownUntil: z.nullable(z.string()),
    cooldownCause: z.nullable(z.string()),
    /**
     * Its expiry (`expiryWarningHours`): `ok`, `expiring` (ends inside the threshold and nothing
     * renews it), `expired`, `invalid` or `needs_login`, with why in a sentence.
     */
    expiry: z.optional(
      z.object({
        state: z.enum(['ok', 'expiring', 'expired', 'invalid', 'needs_login']),
        reason: z.string(),
        refreshExpiresAt: z.optional(z.nullable(z.string())),
      }),
    ),
  },
);
/** One credential in `status`. Never holds a secret. */
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>;

/** Schema of one profile in the rotation part of `status` (hashes stay inside; ids and counts only). */
export const RotationProfileStatusSchema = z.object({
  profileId: z.string(),
  /** The history id: the imported credential's, or `openclaw:<profileId>` for the host's own profiles. */
  credentialId: z.string(),
  imported: z.boolean(),
  /** Requests served (the shared history's usage count). */
  requests: z.number(),
  /** Share of the provider's requests (0..1). */
  share: z.number(),
  successes: z.number(),
  failures: z.number(),
  consecutiveFailures: z.number(),
  /** The host's failure counts by reason (rate_limit, auth, billing, …). */
  failuresByKind: z.record(z.string(), z.number()),
  tokensIn: z.number(),
  tokensOut: z.number(),
  lastUsed: z.nullable(z.string()),
  health: z.enum(['ok', 'failing', 'cooling']),
  cooldownUntil: z.nullable(z.string()),
  cooldownReason: z.nullable(z.string()),
  /** Requests that reached it while the host had it in cooldown (should stay 0). */
  requestsInCooldown: z.number(),
});
/** Schema of one provider in the rotation part of `status`. */
export const RotationProviderStatusSchema = z.object({
  provider: z.string(),
  strategy: z.string(),
  /** The host's current order of the provider's profiles. */
  order: z.array(z.string()),
  profiles: z.array(RotationProfileStatusSchema),
  /** The last pick and why it was made. */
  lastPick: z.nullable(
    z.object({ profileId: z.string(), target: z.string(), reason: z.string(), at: z.string() }),
  ),
});
/** One provider in the rotation part of `status`. */
export type RotationProviderStatus = z.infer<typeof RotationProviderStatusSchema>;

/** Schema of the `status` operation's output. */
export const StatusOutputSchema = z.object({
  lastScan: z.nullable(
    z.object({
      scannedAt: z.string(),
      durationMs: z.number(),
      found: z.number(),
      imported: z.number(),
      /** False when that scan did not import (offline, autoImport off, or no gateway). */
      importRan: z.boolean(),
    }),
  ),
  /** True while a scan is running. */
  scanning: z.boolean(),
  historyFile: z.string(),
  rotationStrategy: z.string(),
  importEnabled: z.boolean(),
  /** Rotation per provider, when the host drives it (the OpenClaw plugin in a gateway). */
  rotation: z.optional(z.array(RotationProviderStatusSchema)),
  /** Every known credential: the last scan's (an offline one when none ran yet), then the history's. */
  credentials: z.array(CredentialStatusSchema),
  /** A summary per source and provider. */
  sources: z.array(
    z.object({
      source: z.string(),
      provider: z.string(),
      credentials: z.number(),
      byStatus: z.record(z.string(), z.number()),
      imported: z.number(),
    }),
  ),
  /** Problems met by the scan behind this status (a broken file, with its path and reason). */
  issues: z.array(ScanIssueSchema),
});
/** The `status` operation's output. */
export type StatusOutput = z.infer<typeof StatusOutputSchema>;

/** Schema of the `getHistory` input. */
export const GetHistoryInputSchema = z.strictObject({ id: z.optional(z.string().check(z.minLength(1))) });
/** Schema of the `getHistory` output: history records (hashes, counts, statuses; never secrets). */
export const GetHistoryOutputSchema = z.object({
  records: z.array(
    z.looseObject({ id: z.string(), hash: z.string(), source: z.string(), provider: z.string() }),
  ),
});
/** The `getHistory` output. */
export type GetHistoryOutput = z.infer<typeof GetHistoryOutputSchema>;
/** Schema of the `clearHistory` input. */
export const ClearHistoryInputSchema = z.strictObject({ id: z.optional(z.string().check(z.minLength(1))) });
/** Schema of the `clearHistory` output. */
export const ClearHistoryOutputSchema = z.object({ removed: z.number() });

/** The ways `refreshToken` can renew a login: the types of {@link RefreshMethodSchema}. */
export const REFRESH_METHOD_TYPES = [
  'oauth-refresh',
  'browser-login',
  'cli-login',
  'key-page',
  'paste-key',
] as const;

/** Schema of the `refreshToken` input: a source id (or its short name) or a credential id, and a method. */
export const RefreshInputSchema = z.strictObject({
  target: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(512),
      z.describe('A source id (e.g. "example-cli"), its short name, or a credential id.'),
    ),
  method: z
    .optional(z.enum(REFRESH_METHOD_TYPES))
    .check(
      z.describe(
        'Run this method. Without one, OAuth logins are refreshed where possible (when due), else the methods that apply are listed.',
      ),
    ),
});

/** Schema of what came of one automatic OAuth refresh (secret-free: hashes and previews only). */
export const RefreshOutcomeSchema = z.object({
  credentialId: z.string(),
  source: z.string(),
  /** See `RefreshStatus` of `@ctd/refresher`. */
  status: z.enum([
    'refreshed',
    'refreshed-by-other',
    'not-due',
    'needs_login',
    'failed',
    'not-refreshable',
    'opt-in-required',
  ]),
  expiresAt: z.nullable(z.string()),
  nextRefreshAt: z.optional(z.nullable(z.string())),
  hash: z.optional(z.string()),
  preview: z.optional(z.string()),
  code: z.optional(z.string()),
  reason: z.string(),
  /** For `needs_login`: the re-login methods that fix it. */
  relogin: z.optional(z.array(RefreshMethodSchema)),
  /** Refresh requests sent (0 when another process had refreshed). */
  calls: z.number(),
  /** The gateway profile updated with the new access token (never the refresh token). */
  import: z.optional(ImportOutcomeSchema),
});
/** What came of one automatic OAuth refresh. */
export type RefreshOutcomeView = z.infer<typeof RefreshOutcomeSchema>;

/** Schema of the `refreshToken` output. */
export const RefreshOutputSchema = z.object({
  target: z.string(),
  /** The automatic OAuth refreshes run (one per refreshable login of the target). */
  outcomes: z.optional(z.array(RefreshOutcomeSchema)),
  /** The credentials concerned (secret-free). */
  credentials: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      provider: z.string(),
      methods: z.array(RefreshMethodSchema),
    }),
  ),
  /** The methods that apply, best first (the key page, the CLI's login command, …). */
  methods: z.array(RefreshMethodSchema),
  note: z.string(),
  /**
   * What to open in a browser for the method run, on the operator's side (the gateway never opens
   * one): a login page with its device code, or a key page. Not secrets: they only start a login.
   */
  open: z.optional(z.object({ url: z.string(), code: z.optional(z.string()) })),
  /** The re-login method run (with `method`), and how it went. */
  run: z.optional(
    z.object({
      method: z.enum(REFRESH_METHOD_TYPES),
      /** `started`: running in the background (finish it in the browser); `not-run`: the caller acts (a pasted key). */
      status: z.enum(['started', 'done', 'failed', 'timed-out', 'cancelled', 'not-run']),
      exitCode: z.optional(z.nullable(z.number())),
      reason: z.optional(z.string()),
    }),
  ),
  /** The target's credentials after a re-login ended (scanned again: check, import, expiry). */
  after: z.optional(
    z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        provider: z.string(),
        expiresAt: z.nullable(z.string()),
        status: z.optional(ValidationStatusSchema),
        import: ImportOutcomeSchema,
      }),
    ),
  ),
});
/** The `refreshToken` output. */
export type RefreshOutput = z.infer<typeof RefreshOutputSchema>;

/** Schema of the `importManual` input. The token is write-only: it is never echoed back. */
export const ImportManualInputSchema = z.strictObject({
  /** The CLI the key is for: a source id (e.g. `"example-cli"`) or its short name (`example`). */
  cli: z.string().check(z.minLength(1), z.maxLength(64)),
  token: z
    .string()
    .check(z.trim(), z.minLength(8, 'token is too short'), z.maxLength(8192, 'token is too long')),
});
/** Schema of the `importManual` output. */
export const ImportManualOutputSchema = z.object({ credential: CredentialViewSchema });
