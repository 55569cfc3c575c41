// The history file's codec, on its own: the file form (ISO 8601 times, JSON) to and from the
// in-memory form (epoch ms), parsing without throwing, the write id read from a file's head, and
// whether a file is recognisably a history file (only such a file is ever moved aside).
// Browser-safe: no Node built-ins.
import type { HistoryFile, HistoryRecord } from './schema.ts';
import { HISTORY_FORMAT, HISTORY_SCHEMA_VERSION, HistoryFileSchema } from './schema.ts';
import type { EntryMap, MutableEntry } from './state.ts';
import type { HistoryEntry, ModelCooldown } from './types.ts';

/** The history file's name inside OpenClaw's state directory. */
export const HISTORY_FILE_NAME = 'cli-token-history.json';

const toIso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const fromIso = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** The file form of an entry. */
export function toRecord(e: HistoryEntry): HistoryRecord {
  const models: HistoryRecord['modelCooldowns'] = {};
  for (const [m, c] of Object.entries(e.modelCooldowns)) {
    models[m] = {
      until: new Date(c.until).toISOString(),
      cause: c.cause,
      setAt: new Date(c.setAt).toISOString(),
    };
  }
  return {
    id: e.id,
    hash: e.hash,
    source: e.source,
    provider: e.provider,
    firstSeen: toIso(e.firstSeen),
    lastSeen: toIso(e.lastSeen),
    lastUsed: toIso(e.lastUsed),
    usageCount: e.usageCount,
    successes: e.successes,
    failures: e.failures,
    consecutiveFailures: e.consecutiveFailures,
    lastSuccessAt: toIso(e.lastSuccessAt),
    lastFailureAt: toIso(e.lastFailureAt),
    latencyMs: e.latencyMs === null ? null : Math.round(e.latencyMs * 100) / 100,
    status: e.status,
    statusReason: e.statusReason,
    statusSetAt: toIso(e.statusSetAt),
    cooldownUntil: toIso(e.cooldownUntil),
    cooldownCause: e.cooldownCause,
    cooldownSetAt: toIso(e.cooldownSetAt),
    modelCooldowns: models,
    needs: e.needs,
    needsReason: e.needsReason,
    needsSetAt: toIso(e.needsSetAt),
    lastValidation: e.lastValidation,
    expiresAt: toIso(e.expiresAt),
  };
}

/** The in-memory form of a file record. */
export function fromRecord(r: HistoryRecord): MutableEntry {
  const models: Record<string, ModelCooldown> = {};
  for (const [m, c] of Object.entries(r.modelCooldowns)) {
    models[m] = { until: Date.parse(c.until), cause: c.cause, setAt: Date.parse(c.setAt) };
  }
  return {
    id: r.id,
    hash: r.hash,
    source: r.source,
    provider: r.provider,
    firstSeen: fromIso(r.firstSeen),
    lastSeen: fromIso(r.lastSeen),
    lastUsed: fromIso(r.lastUsed),
    usageCount: r.usageCount,
    successes: r.successes,
    failures: r.failures,
    consecutiveFailures: r.consecutiveFailures,
    lastSuccessAt: fromIso(r.lastSuccessAt),
    lastFailureAt: fromIso(r.lastFailureAt),
    latencyMs: r.latencyMs,
    status: r.status,
    statusReason: r.statusReason,
    statusSetAt: fromIso(r.statusSetAt),
    cooldownUntil: fromIso(r.cooldownUntil),
    cooldownCause: r.cooldownCause,
    cooldownSetAt: fromIso(r.cooldownSetAt),
    modelCooldowns: models,
    needs: r.needs,
    needsReason: r.needsReason,
    needsSetAt: fromIso(r.needsSetAt),
    lastValidation: r.lastValidation,
    expiresAt: fromIso(r.expiresAt),
  };
}

/** Model cooldowns that ended this long ago are dropped when writing, so the file does not grow. */
const MODEL_COOLDOWN_RETENTION_MS = 86_400_000;

/** The file form of a whole state. */
export function toHistoryFile(state: EntryMap, now: number, writeId?: string): HistoryFile {
  const records: Record<string, HistoryRecord> = {};
  const keep = now - MODEL_COOLDOWN_RETENTION_MS;
  for (const id of [...state.keys()].sort()) {
    const r = toRecord(state.get(id) as MutableEntry);
    for (const [m, c] of Object.entries(r.modelCooldowns)) {
      if (Date.parse(c.until) < keep) delete r.modelCooldowns[m];
    }
    records[id] = r;
  }
  return {
    format: HISTORY_FORMAT,
    schemaVersion: HISTORY_SCHEMA_VERSION,
    updatedAt: new Date(now).toISOString(),
    ...(writeId ? { writeId } : {}),
    records,
  };
}

/** The in-memory form of a whole file. */
export function fromHistoryFile(file: HistoryFile): EntryMap {
  const out: EntryMap = new Map();
  for (const [key, r] of Object.entries(file.records)) out.set(key, fromRecord({ ...r, id: key }));
  return out;
}

/** The result of reading a history file's text. */
export type ParsedHistory =
  | { kind: 'ok'; state: EntryMap; writeId: string | undefined }
  | { kind: 'newer'; version: number }
  | { kind: 'corrupt'; code: 'INVALID_JSON' | 'INVALID_SHAPE'; message: string };

/**
 * Parses the text of a history file without throwing: a usable state, a newer schema version
 * (which must not be overwritten), or the reason the file is corrupt.
 *
 * @param text - the file's content
 */
export function parseHistoryText(text: string): ParsedHistory {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      kind: 'corrupt',
      code: 'INVALID_JSON',
      message: 'the file is not valid JSON (truncated or damaged)',
    };
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > HISTORY_SCHEMA_VERSION) return { kind: 'newer', version };
  const parsed = HistoryFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    return { kind: 'corrupt', code: 'INVALID_SHAPE', message: `the file is not a history file${where}` };
  }
  return { kind: 'ok', state: fromHistoryFile(parsed.data), writeId: parsed.data.writeId };
}

/** The text of a history file (pretty-printed JSON with a final newline). */
export function encodeHistoryFile(state: EntryMap, now: number, writeId?: string): string {
  return `${JSON.stringify(toHistoryFile(state, now, writeId), null, 2)}\n`;
}

/**
 * The write id from a history file's head (it is written before the records), read without
 * parsing the whole file. Inode, size and mtime cannot tell files apart: inodes are reused after a
 * rename and file times are coarser than a flush.
 */
export function headWriteId(text: string): string | undefined {
  const end = text.indexOf('"records"');
  return /"writeId":\s*"([^"\\]+)"/.exec(end < 0 ? text.slice(0, 400) : text.slice(0, end))?.[1];
}

const FORMAT_MARK = new RegExp(`"format"\\s*:\\s*"${HISTORY_FORMAT}"`);

/**
 * Whether a file that does not parse as a history is still recognisably ours, so that it may be
 * moved aside: its head declares our format (a truncated or damaged history), it has our file name
 * (nobody else writes `cli-token-history.json`), or it is a JSON object shaped like an older
 * history (`schemaVersion` and `records`). Any other file (a CLI's `auth.json`, a dotfile) is not:
 * it is never renamed, whatever path it was opened under.
 *
 * @param head - the file's text, or its first bytes
 * @param fileName - the file's base name
 */
export function isRecognisablyHistory(head: string, fileName: string): boolean {
  if (fileName === HISTORY_FILE_NAME) return true;
  if (FORMAT_MARK.test(head.slice(0, 4096))) return true;
  try {
    const json = JSON.parse(head) as Record<string, unknown> | null;
    return (
      typeof json === 'object' &&
      json !== null &&
      !Array.isArray(json) &&
      typeof json.schemaVersion === 'number' &&
      'records' in json
    );
  } catch {
    return false;
  }
}
