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
 * The shortest piece of a secret that is redacted on its own. A quoted or truncated copy of a
 * secret (a provider message cut short, a key shown up to some length) is caught from this length;
 * shorter pieces are left alone, as real text is full of short coincidences.
 */
export const MIN_REDACTED_FRAGMENT = 8;

/** Whole secrets shorter than this are not redacted at all (they would hit ordinary words). */
const MIN_SECRET_LENGTH = 6;

const REDACTED = '[redacted]';

/** Whitespace as `\s` means it, without a regular expression per character. */
function isSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function withoutSpaces(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) out += text[i];
  return out;
}

/**
 * Builds a function that removes the given secrets from any text: every occurrence of a secret,
 * and every piece of one that is {@link MIN_REDACTED_FRAGMENT} characters or longer (a prefix, a
 * truncated copy, the middle of it), each replaced with `[redacted]`. Whitespace is ignored while
 * matching, on both sides: a key with a space or newline inside, or one quoted with whitespace
 * added or collapsed, is still found. Build it once for many texts (it indexes the secrets).
 *
 * Redact before any other processing (whitespace normalising, clipping): a clipped copy of a
 * secret shorter than the fragment length could no longer be recognised.
 *
 * @param secrets - every secret that must not appear; empty and very short values are ignored
 * @returns the redacting function
 * @example
 * const clean = createRedactor([apiKey, refreshToken]);
 * const reason = clip(clean(providerMessage));
 */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const n = MIN_REDACTED_FRAGMENT;
  const grams = new Set<string>();
  const short: string[] = [];
  for (const secret of secrets) {
    const compact = withoutSpaces(secret);
    if (compact.length >= n) {
      for (let i = 0; i + n <= compact.length; i++) grams.add(compact.slice(i, i + n));
    } else if (secret.length >= MIN_SECRET_LENGTH) {
      short.push(secret);
    }
  }
  short.sort((a, b) => b.length - a.length);
  if (grams.size === 0 && short.length === 0) return (text) => text;

  return (text) => {
    let out = text;
    for (const s of short) out = out.split(s).join(REDACTED);
    if (grams.size === 0 || out.length < n) return out;
    // Match on the text without its whitespace, remembering where each kept character came from.
    const kept: number[] = [];
    let compact = '';
    for (let i = 0; i < out.length; i++) {
      if (isSpace(out.charCodeAt(i))) continue;
      kept.push(i);
      compact += out[i];
    }
    // Overlapping matches, and touching ones with nothing between them in the text, form one run:
    // a long copy becomes one `[redacted]`, while two secrets apart keep what separates them.
    const runs: Array<[number, number]> = [];
    let runStart = -1;
    let runEnd = -1;
    for (let i = 0; i + n <= compact.length; i++) {
      if (!grams.has(compact.slice(i, i + n))) continue;
      const joins = i <= runEnd || (i === runEnd + 1 && kept[i] === (kept[runEnd] as number) + 1);
      if (runStart >= 0 && joins) {
        runEnd = i + n - 1;
      } else {
        if (runStart >= 0) runs.push([runStart, runEnd]);
        runStart = i;
        runEnd = i + n - 1;
      }
    }
    if (runStart < 0) return out;
    runs.push([runStart, runEnd]);
    let result = '';
    let at = 0;
    for (const [from, to] of runs) {
      const start = kept[from] as number;
      const end = (kept[to] as number) + 1;
      result += out.slice(at, start) + REDACTED;
      at = end;
    }
    return result + out.slice(at);
  };
}

/**
 * Removes the given secrets from a text, with {@link createRedactor}'s rules: whole secrets, and
 * any piece of {@link MIN_REDACTED_FRAGMENT} characters or more (a prefix or truncated copy),
 * whitespace ignored. Use it on any text that may have passed near a secret, before anything else
 * is done to the text (normalising whitespace, clipping), and before it is logged, shown or stored.
 *
 * @param text - text to clean
 * @param secrets - secrets that must not appear (empty and very short values are ignored)
 * @returns the text with each secret, and each long enough piece of one, replaced by `[redacted]`
 */
export function redact(text: string, secrets: Iterable<string>): string {
  return createRedactor(secrets)(text);
}
