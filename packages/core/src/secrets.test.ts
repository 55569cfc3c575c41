import { describe, expect, it } from 'vitest';
import { createRedactor, MIN_REDACTED_FRAGMENT, maskSecret, redact } from './secrets.ts';

const KEY = 'sk-test-redact-PLACEHOLDER-0123456789abcdef';

/** Every piece of `secret` of `min` characters or more that appears in `text`. */
function leakedPieces(text: string, secret: string, min: number): string[] {
  const found: string[] = [];
  for (let i = 0; i + min <= secret.length; i++) {
    const piece = secret.slice(i, i + min);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
}

describe('redact', () => {
  it('replaces a whole secret wherever it appears', () => {
    expect(redact(`key ${KEY} and again ${KEY}.`, [KEY])).toBe('key [redacted] and again [redacted].');
  });

  it('replaces a truncated copy or a quoted prefix of 8 characters or more', () => {
    const cut = KEY.slice(0, 18);
    expect(redact(`message ends with ${cut}`, [KEY])).toBe('message ends with [redacted]');
    expect(redact(`prefix ${KEY.slice(0, MIN_REDACTED_FRAGMENT)}!`, [KEY])).toBe('prefix [redacted]!');
    // The middle or the end of a key is as much a leak as its start.
    expect(redact(`tail ${KEY.slice(-12)}`, [KEY])).toBe('tail [redacted]');
    // Shorter pieces are left: providers show `sk-***cdef`, and text is full of short coincidences.
    expect(redact('sk-***cdef', [KEY])).toBe('sk-***cdef');
  });

  it('finds a key with whitespace inside, and one whose whitespace was changed', () => {
    const spaced = 'sk-test-ws PLACEHOLDER\tkey\n0000 1111';
    const texts = [
      `raw: ${spaced}`,
      `collapsed: ${spaced.replace(/\s+/g, ' ')}`,
      `removed: ${spaced.replace(/\s+/g, '')}`,
    ];
    for (const text of texts) {
      const out = redact(text, [spaced]);
      expect(out).toMatch(/: \[redacted\]$/);
      expect(leakedPieces(out.replace(/\s+/g, ''), spaced.replace(/\s+/g, ''), 4)).toEqual([]);
    }
  });

  it('redacts every secret given, overlapping copies as one', () => {
    const other = 'ghp_test_PLACEHOLDER_other_token';
    expect(redact(`${KEY}${KEY.slice(0, 10)} ${other}`, [KEY, other])).toBe('[redacted] [redacted]');
  });

  it('ignores empty and very short secrets, but removes a short one whole', () => {
    expect(redact('an abc text', ['', 'abc'])).toBe('an abc text');
    expect(redact('pin 123456 ok', ['123456'])).toBe('pin [redacted] ok');
  });

  it('leaves text without secrets as it was, also with a prepared redactor', () => {
    const clean = createRedactor([KEY]);
    const text = 'HTTP 401 invalid_api_key: Incorrect API key provided.\n  See the docs.';
    expect(clean(text)).toBe(text);
    expect(createRedactor([])(text)).toBe(text);
  });

  it('never leaves 8 characters of a key anywhere in a long message', () => {
    const message = `${'x'.repeat(190)}${KEY}${'y'.repeat(50)}`;
    const out = redact(message, [KEY]);
    expect(leakedPieces(out, KEY, MIN_REDACTED_FRAGMENT)).toEqual([]);
    expect(out).toBe(`${'x'.repeat(190)}[redacted]${'y'.repeat(50)}`);
  });
});

describe('maskSecret', () => {
  it('shows at most a third of the value', () => {
    expect(maskSecret(KEY)).toBe('sk-t…cdef');
    expect(maskSecret('short')).toBe('•••••');
    expect(maskSecret('')).toBe('(empty)');
  });
});
