// Text that comes from a credential store, an environment variable or a provider's answer (an
// e-mail in a JWT, a provider name, a key name, an error code, a file name) is not ours: printed as
// is, an ESC or OSC sequence in it would drive the user's terminal (retitle it, hide text, plant a
// link), and a newline would forge a line of output. Human output shows such text escaped, so it
// stays on one line and every byte stays visible. JSON output needs none of this: JSON.stringify
// escapes C0 controls already, and a JSON reader is not a terminal.

// C0 controls (tab and newline included: a cell or a line must stay one line), DEL, C1 controls
// (U+0080–U+009F: 0x9B is a one-byte CSI on some terminals), the bidirectional overrides and
// isolates that reorder what is shown (U+202A–U+202E, U+2066–U+2069), the line and paragraph
// separators, and lone surrogates (not printable, and not valid UTF-8 once written).
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u001b': '\\e',
};

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Escapes the characters that would act on a terminal instead of showing: control characters
 * (C0 with tab and newline, DEL, C1), bidirectional overrides, line separators and lone surrogates.
 * ESC becomes `\e`, newline `\n`, others `\xNN` or `\uNNNN`; a backslash stays as it is.
 * Apply it to every piece of foreign text before it reaches human output; not to JSON output.
 *
 * @param text - text from a store, the environment or a provider
 * @returns the same text, printable on one line
 * @example
 * escapeControlChars('me@x.io\u001b]0;pwned\u0007'); // 'me@x.io\\e]0;pwned\\x07'
 */
export function escapeControlChars(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * {@link escapeControlChars} applied to every string inside a value (arrays and plain objects,
 * recursively; object keys too). For rendering a whole answer from a library in one place.
 *
 * @param value - any JSON-like value
 * @returns a copy in which every string is escaped; other values are returned as they are
 */
export function escapeControlCharsDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControlChars(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeControlCharsDeep(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeControlChars(k)] = escapeControlCharsDeep(v);
    return out as T;
  }
  return value;
}
