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
