import { describe, expect, it } from 'vitest';
import { escapeHtml, Markup, markup } from './markup.ts';

describe('markup', () => {
  it('escapes every interpolation for text and quoted attributes, and keeps nested markup as it is', () => {
    const evil = `"><img src=x onerror=alert(1)>&'`;
    const inner = markup`<b>${evil}</b>`;
    const out = markup`<span title="${evil}">${evil}${inner}${null}${undefined}${false}${0}</span>`;
    expect(out).toBeInstanceOf(Markup);
    expect(out.text).toBe(
      '<span title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;<b>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;</b>0</span>',
    );
  });

  it('leaves text without special characters alone, also on repeated calls', () => {
    expect(escapeHtml('user1@example.test (pro)')).toBe('user1@example.test (pro)');
    expect(escapeHtml('a<b')).toBe('a&lt;b');
    expect(escapeHtml('a<b')).toBe('a&lt;b');
    expect(escapeHtml('plain')).toBe('plain');
  });
});
