import {
  CheckedLocationSchema,
  CredentialInfoSchema,
  RefreshMethodSchema,
  ScanIssueSchema,
  SOURCE_IDS,
  ValidationResultSchema,
} from '@ctd/core';
import { z } from 'zod';
import { CLI_KEYS } from './config.ts';

/** Schema of what happened when a credential was offered to the gateway. */
export const ImportOutcomeSchema = z.object({
  /** `imported`: written; `unchanged`: already there as is; `skipped`: not imported (see reason); `failed`: the write failed; `off`: import is turned off or there is no gateway. */
  status: z.enum(['imported', 'unchanged', 'skipped', 'failed', 'off']),
  profileId: z.string().optional(),
  code: z.string().optional(),
  reason: z.string().optional(),
  whatToDo: z.string().optional(),
});
/** What happened when a credential was offered to the gateway. */
export type ImportOutcome = z.infer<typeof ImportOutcomeSchema>;

/** Schema of one credential in a service answer: public facts, its check, and its import. */
export const CredentialViewSchema = CredentialInfoSchema.extend({
  validation: ValidationResultSchema.optional(),
  import: ImportOutcomeSchema,
});
/** One credential in a service answer. Never holds a secret. */
export type CredentialView = z.infer<typeof CredentialViewSchema>;

/** Schema of the `scan` operation's input. */
export const ScanInputSchema = z
  .object({
    /** Check each credential with its provider. @default config.validateTokens */
    validate: z.boolean().optional(),
    /** Import valid credentials. @default config.autoImport */
    import: z.boolean().optional(),
    /** Only these sources. */
    sources: z.array(z.enum(SOURCE_IDS)).optional(),
  })
  .strict();

/** Schema of the `scan` operation's output. */
export const ScanOutputSchema = z.object({
  scannedAt: z.string(),
  durationMs: z.number(),
  credentials: z.array(CredentialViewSchema),
  issues: z.array(ScanIssueSchema),
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
export const StatusInputSchema = z.object({}).strict();

/** Schema of the `status` operation's output. */
export const StatusOutputSchema = z.object({
  lastScan: z
    .object({
      scannedAt: z.string(),
      durationMs: z.number(),
      found: z.number(),
      imported: z.number(),
      /** False when that scan did not import (offline, autoImport off, or no gateway). */
      importRan: z.boolean(),
    })
    .nullable(),
  /** True while a scan is running. */
  scanning: z.boolean(),
  historyFile: z.string(),
  rotationStrategy: z.string(),
  importEnabled: z.boolean(),
  sources: z.array(
    z.object({
      source: z.string(),
      provider: z.string(),
      credentials: z.number(),
      byStatus: z.record(z.string(), z.number()),
      imported: z.number(),
    }),
  ),
  locations: z.array(CheckedLocationSchema).optional(),
});
/** The `status` operation's output. */
export type StatusOutput = z.infer<typeof StatusOutputSchema>;

/** Schema of the `getHistory` input. */
export const GetHistoryInputSchema = z.object({ id: z.string().min(1).optional() }).strict();
/** Schema of the `clearHistory` input. */
export const ClearHistoryInputSchema = z.object({ id: z.string().min(1).optional() }).strict();
/** Schema of the `clearHistory` output. */
export const ClearHistoryOutputSchema = z.object({ removed: z.number() });

/** Schema of the `refreshToken` input: a CLI key (`codex`, `kimi`, …) or a credential id. */
export const RefreshInputSchema = z
  .object({
    target: z
      .string()
      .min(1)
      .describe('A CLI (codex, gemini, qwen, kimi, claude, opencode) or a credential id.'),
  })
  .strict();
/** Schema of the `refreshToken` output. */
export const RefreshOutputSchema = z.object({
  target: z.string(),
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
});
/** The `refreshToken` output. */
export type RefreshOutput = z.infer<typeof RefreshOutputSchema>;

/** Schema of the `importManual` input. The token is write-only: it is never echoed back. */
export const ImportManualInputSchema = z
  .object({
    cli: z.enum(
      CLI_KEYS.filter((k) => k !== 'opencode' && k !== 'env') as [
        'kimi',
        'codex',
        'qwen',
        'gemini',
        'claude',
      ],
    ),
    token: z.string().trim().min(8, 'token is too short').max(8192, 'token is too long'),
  })
  .strict();
/** Schema of the `importManual` output. */
export const ImportManualOutputSchema = z.object({ credential: CredentialViewSchema });
