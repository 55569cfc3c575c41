import { describe, expect, it } from 'vitest';
import { escapeControlChars, escapeControlCharsDeep } from './text.ts';

describe('escapeControlChars', () => {
  it('escapes ESC, OSC, newlines, C1 and bidi overrides, keeping printable text', () => {
    expect(escapeControlChars('me@x.io\u001b]0;pwned\u0007')).toBe('me@x.io\\e]0;pwned\\x07');
    expect(escapeControlChars('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(escapeControlChars('\u009b31m\u007f')).toBe('\\x9b31m\\x7f');
    expect(escapeControlChars('abc\u202edef\u2028')).toBe('abc\\u202edef\\u2028');
    expect(escapeControlChars('Müller · 山田 😀 \\n')).toBe('Müller · 山田 😀 \\n');
    expect(escapeControlChars('x\ud800y')).toBe('x\\ud800y');
  });

  it('leaves no control character in any output (all of U+0000–U+00FF)', () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for control characters.
    expect(escapeControlChars(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('escapes every string of a value, keys included, and keeps other values', () => {
    const value = { 'k\u001b': ['a\n', 1, null, { b: 'c\u009b' }], n: 2, t: true };
    expect(escapeControlCharsDeep(value)).toEqual({
      'k\\e': ['a\\n', 1, null, { b: 'c\\x9b' }],
      n: 2,
      t: true,
    });
  });
});
