// HTML text built from a tagged template whose every interpolation is escaped, for the token
// panel's rows: 200 rows parsed from one string cost a fraction of 200 Lit template instances with
// ~30 parts each (measured: see bench/render.bench.ts). Every attribute in such a template must be
// quoted ("…"): escaping covers quotes, not spaces.

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL = /[&<>"']/g;

/** Markup made by {@link markup}: its interpolations are already escaped. */
export class Markup {
  /** The HTML text. */
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
  SPECIAL.lastIndex = 0;
  return SPECIAL.test(value) ? value.replace(SPECIAL, (c) => ESCAPES[c]!) : value;
}

/**
 * Tagged template: HTML whose interpolations are escaped (text) or kept (nested {@link Markup}).
 * `null`, `undefined` and `false` give nothing; numbers and other values their `String()`.
 */
export function markup(strings: TemplateStringsArray, ...values: readonly unknown[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out +=
      (v instanceof Markup
        ? v.text
        : v === null || v === undefined || v === false
          ? ''
          : escapeHtml(String(v))) + strings[i + 1]!;
  }
  return new Markup(out);
}
