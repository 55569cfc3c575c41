import { createHash } from 'node:crypto';

/**
 * SHA-256 of a string as lowercase hex: the only form in which a secret is stored or compared.
 *
 * @param value - the secret (or any string)
 * @returns 64 hex characters
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * A short masked preview of a secret for display, e.g. `sk-p…x9Qa`. Short secrets show less,
 * so that the preview never reveals more than a third of the value.
 *
 * @param value - the secret
 * @returns a masked preview, never the whole secret
 */
export function maskSecret(value: string): string {
  const n = value.length;
  if (n === 0) return '(empty)';
  if (n < 12) return `${'•'.repeat(Math.min(n, 8))}`;
  const shown = n >= 24 ? 4 : 2;
  return `${value.slice(0, shown)}…${value.slice(-shown)}`;
}

/**
 * The first 12 hex characters of a hash, for display next to a masked preview.
 *
 * @param hash - a SHA-256 hex string
 */
export function hashPrefix(hash: string): string {
  return hash.slice(0, 12);
}

/**
 * Replaces every occurrence of the given secrets in a text with `[redacted]`.
 * Use it on any text that may have passed near a secret before it is logged or shown.
 *
 * @param text - text to clean
 * @param secrets - secrets that must not appear (empty and very short values are ignored)
 * @returns the text with each secret replaced
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 6) continue;
    out = out.split(s).join('[redacted]');
  }
  return out;
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * A secret value held in memory. It serializes as `"[redacted]"` (JSON, `util.inspect`, string
 * conversion), so that it cannot leak through logs or results by accident; `reveal()` is the only
 * way to read it, and should appear only where the secret is sent to its own provider or store.
 */
export class Secret {
  readonly #value: string;
  /** SHA-256 hex of the value. */
  readonly hash: string;
  /** Masked preview of the value. */
  readonly preview: string;

  constructor(value: string) {
    this.#value = value;
    this.hash = sha256Hex(value);
    this.preview = maskSecret(value);
  }

  /** Returns the secret itself. Call only to send it to its provider or write it to its own store. */
  reveal(): string {
    return this.#value;
  }

  /** Always `"[redacted]"`. */
  toJSON(): string {
    return '[redacted]';
  }

  /** Always `"[redacted]"`. */
  toString(): string {
    return '[redacted]';
  }

  [inspectSymbol](): string {
    return `Secret(${this.preview})`;
  }
}
