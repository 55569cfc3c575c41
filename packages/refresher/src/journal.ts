// The refresh journal: one small file per credential, hashes only, written inside the CLI's lock
// before and after each step that spends a refresh token. It is what makes a crash recoverable:
// a process killed between the provider's answer and the write-back leaves `pending` in the
// `received` phase, and the next run knows that a rotating refresh token was spent and its answer
// lost (the login is dead: needs_login, zero calls) instead of spending it again in a loop. It
// also remembers refresh tokens a provider declared dead, so they are never sent twice.
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { useEnglishZodMessages } from '@ctd/core';
import { sha256Hex, writeFileAtomic } from '@ctd/core/node';
import * as z from 'zod/mini';

useEnglishZodMessages();

const FORMAT = 'ctd-refresh-journal';

const PendingSchema = z.object({
  /** SHA-256 of the refresh token that was sent. */
  refreshHash: z.string(),
  /** SHA-256 of the access token in the store when it was sent. */
  accessHash: z.string(),
  /** `sent`: the request left, no answer yet; `received`: new tokens arrived, not yet written back. */
  phase: z.enum(['sent', 'received']),
  at: z.number(),
});

const DeadSchema = z.object({
  refreshHash: z.string(),
  code: z.string(),
  reason: z.string(),
  at: z.number(),
});

const JournalSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  credentialId: z.string(),
  pending: z.nullable(PendingSchema),
  dead: z.nullable(DeadSchema),
});

/** A refresh in progress, as the journal knows it. */
export type PendingRefresh = z.infer<typeof PendingSchema>;
/** A refresh token the provider declared dead. */
export type DeadRefreshToken = z.infer<typeof DeadSchema>;
/** One credential's journal. */
export type JournalEntry = z.infer<typeof JournalSchema>;

/** The journal of every credential, one file each under a directory (0700, files 0600). */
export class RefreshJournal {
  readonly #dir: string;

  /** @param dir - the journal's directory (created on first write) */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The directory. */
  get dir(): string {
    return this.#dir;
  }

  #path(credentialId: string): string {
    // Hashed: an id may hold characters a file name cannot.
    return join(this.#dir, `${sha256Hex(credentialId).slice(0, 32)}.json`);
  }

  /**
   * The lock file that serializes this tool's refreshes of one credential across processes, on
   * top of the CLI's own lock (some CLIs lock only inside their own process). Its directory is
   * created here.
   */
  async lockPath(credentialId: string): Promise<string> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    return join(this.#dir, `${sha256Hex(credentialId).slice(0, 32)}.lock`);
  }

  /** Reads a credential's journal; an unreadable or foreign file reads as empty. */
  async read(credentialId: string): Promise<JournalEntry> {
    const empty: JournalEntry = { format: FORMAT, version: 1, credentialId, pending: null, dead: null };
    let text: string;
    try {
      text = await readFile(this.#path(credentialId), 'utf8');
    } catch {
      return empty;
    }
    try {
      const parsed = JournalSchema.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.credentialId === credentialId ? parsed.data : empty;
    } catch {
      return empty;
    }
  }

  /** Writes a credential's journal durably (atomic replace, fsync); removes it when it holds nothing. */
  async write(entry: JournalEntry): Promise<void> {
    const path = this.#path(entry.credentialId);
    if (!entry.pending && !entry.dead) {
      await unlink(path).catch(() => {});
      return;
    }
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}
