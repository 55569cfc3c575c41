// Escaping for the token panel's rows, which are HTML text rather than Lit templates: 200 rows
// parsed from one string cost a fraction of 200 Lit template instances with ~30 parts each
// (measured: see bench/render.bench.ts). Every value put into that text goes through
// `escapeHtml`, and every attribute there is quoted ("…"): escaping covers quotes, not spaces.

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}
