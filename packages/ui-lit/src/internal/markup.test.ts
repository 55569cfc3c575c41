import { describe, expect, it } from 'vitest';
import { escapeHtml } from './markup.ts';

describe('escapeHtml', () => {
  it('escapes what could end a text node or a quoted attribute, and leaves other text alone', () => {
    const evil = `"><img src=x onerror=alert(1)>&'`;
    expect(escapeHtml(evil)).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;');
    expect(escapeHtml(`<span title="${escapeHtml(evil)}">`)).not.toContain('"><');
    expect(escapeHtml('user1@example.test (pro)')).toBe('user1@example.test (pro)');
    expect(escapeHtml('a<b')).toBe('a&lt;b');
    expect(escapeHtml('a<b')).toBe('a&lt;b');
  });
});
