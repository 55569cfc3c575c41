import { escapeControlChars } from '@ctd/core';
import { displayWidth, elide } from './text.ts';

/** A table column: its header and how it gives way when the table is wider than the terminal. */
export interface Column {
  readonly header: string;
  /** The narrowest the column is elided to (with `…`) to fit; without it, the column keeps its width. */
  readonly min?: number;
  /** Where to cut: `end` (default), or `middle` for identifiers whose end tells them apart. */
  readonly elide?: 'end' | 'middle';
  /** Columns with a drop order are left out, lowest first, when the rest cannot fit even elided. */
  readonly dropOrder?: number;
}

/** A cell: text (escaped here, so foreign text cannot reach the terminal raw) and an optional style. */
export type Cell = string | { readonly text: string; readonly style?: (s: string) => string };

const INDENT = 2;
/** The width below which eliding a column costs more than leaving out a droppable one. */
const READABLE = 12;
const GAP = 2;

/**
 * Renders rows as an aligned table with a header and a rule, indented by two spaces. With a
 * `width`, no line is wider than it: columns with a `dropOrder` are left out (lowest first) while
 * the others could not keep a readable width, then columns with a `min` are elided (widest
 * first); without a width (`--wide`), everything is shown in full.
 */
export function renderTable(columns: readonly Column[], rows: readonly Cell[][], width?: number): string {
  const cells = rows.map((row) =>
    columns.map((_, i) => {
      const cell = row[i] ?? '';
      return typeof cell === 'string'
        ? { text: escapeControlChars(cell) }
        : { text: escapeControlChars(cell.text), style: cell.style };
    }),
  );
  const natural = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]?.text ?? ''))),
  );
  let shown = columns.map((_, i) => i);
  const widths = [...natural];
  if (width !== undefined) {
    const total = (idx: number[], w: (i: number) => number) =>
      INDENT + idx.reduce((sum, i) => sum + w(i), 0) + GAP * Math.max(0, idx.length - 1);
    // A header is never cut: a column gives way down to its `min`, or its header's width if wider.
    const narrowest = (i: number) =>
      Math.min(
        natural[i] ?? 0,
        Math.max(displayWidth(columns[i]?.header ?? ''), columns[i]?.min ?? Number.POSITIVE_INFINITY),
      );
    const droppable = columns
      .map((c, i) => ({ i, order: c.dropOrder }))
      .filter((d): d is { i: number; order: number } => d.order !== undefined)
      .sort((a, b) => a.order - b.order);
    // Leave a column out rather than cut the others below a readable width (or their min).
    const comfortable = (i: number) => Math.max(narrowest(i), Math.min(natural[i] ?? 0, READABLE));
    while (total(shown, comfortable) > width && droppable.length > 0) {
      const { i } = droppable.shift() as { i: number };
      shown = shown.filter((j) => j !== i);
    }
    while (total(shown, (i) => widths[i] ?? 0) > width) {
      // Shrink the widest column that may still shrink, one column at a time.
      let pick = -1;
      for (const i of shown) {
        if ((widths[i] ?? 0) > narrowest(i) && (pick < 0 || (widths[i] ?? 0) > (widths[pick] ?? 0))) pick = i;
      }
      if (pick < 0) break;
      widths[pick] = (widths[pick] ?? 0) - 1;
    }
  }
  const line = (row: { text: string; style?: ((s: string) => string) | undefined }[]) =>
    shown
      .map((i, k) => {
        const cell = row[i] ?? { text: '' };
        const w = widths[i] ?? 0;
        const text = elide(cell.text, w, columns[i]?.elide ?? 'end');
        const pad = k === shown.length - 1 ? '' : ' '.repeat(Math.max(0, w - displayWidth(text)));
        return (cell.style && text ? cell.style(text) : text) + pad;
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const header = columns.map((c) => ({ text: c.header }));
  const rule = columns.map((_, i) => ({ text: '─'.repeat(widths[i] ?? 0) }));
  return [line(header), line(rule), ...cells.map(line)].map((l) => `${' '.repeat(INDENT)}${l}`).join('\n');
}
