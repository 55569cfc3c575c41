// Terminal-width arithmetic for the human output: how many columns a string takes, eliding it to a
// width, wrapping a paragraph. The strings measured here are already escaped (no control
// characters, see escapeControlChars) except for our own SGR colour codes, which take no room.

// biome-ignore lint/suspicious/noControlCharactersInRegex: SGR sequences start with ESC.
const SGR = /\u001b\[[0-9;]*m/g;

/** Whether a code point takes two columns (East Asian wide and fullwidth, most emoji). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Whether a code point takes no column (combining marks, zero-width joiners, variation selectors). */
function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x20d0 && cp <= 0x20ff)
  );
}

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  return isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
}

/** The number of terminal columns a string takes (colour codes take none). */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s.replace(SGR, '')) width += charWidth(ch);
  return width;
}

/**
 * Shortens plain (uncoloured) text to at most `width` columns, marking the cut with `…`: at the end,
 * or in the middle for identifiers whose end tells them apart (`some-cli:provider:…acct-1a2b`).
 */
export function elide(s: string, width: number, where: 'end' | 'middle' = 'end'): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 1) return width === 1 ? '…' : '';
  const chars = [...s];
  if (where === 'middle') {
    const room = width - 1;
    const tailRoom = Math.floor(room / 2);
    const head = takeColumns(chars, room - tailRoom);
    const tail = takeColumns([...chars].reverse(), tailRoom).reverse();
    return `${head.join('')}…${tail.join('')}`;
  }
  return `${takeColumns(chars, width - 1).join('')}…`;
}

function takeColumns(chars: string[], width: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const ch of chars) {
    const w = charWidth(ch);
    if (used + w > width) break;
    out.push(ch);
    used += w;
  }
  return out;
}

/**
 * Wraps plain text at `width` columns on spaces; the first line starts with `first`, the others
 * with `rest` (a hanging indent). A word longer than a line is cut.
 */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let lineHasWord = false;
  const room = () => width - displayWidth(line);
  for (const word of text.split(/ +/).filter(Boolean)) {
    const w = displayWidth(word);
    if (lineHasWord && w + 1 > room()) {
      lines.push(line);
      line = rest;
      lineHasWord = false;
    }
    let piece = word;
    // A word wider than a whole line is cut into line-sized pieces.
    while (!lineHasWord && displayWidth(piece) > room() && room() > 0) {
      const head = takeColumns([...piece], room()).join('');
      lines.push(line + head);
      line = rest;
      piece = piece.slice(head.length);
    }
    if (!piece) continue;
    line += (lineHasWord ? ' ' : '') + piece;
    lineHasWord = true;
  }
  lines.push(line);
  return lines;
}

/**
 * Lays out a help text at 80 columns: paragraphs are reflowed; in a list under a heading
 * ("Options:"), each entry's description is wrapped under itself; `Usage:` blocks are kept as
 * written. So help texts can hold names from the adapter list of any length.
 */
export function formatHelp(text: string, width = 80): string {
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines[0]?.startsWith('Usage:')) return block;
      const listed = lines.slice(1).some((l) => /^ {2}\S/.test(l));
      if (/:$/.test(lines[0] ?? '') && listed) {
        const entries: string[] = [];
        for (const line of lines.slice(1)) {
          if (/^ {2}\S/.test(line) || entries.length === 0) entries.push(line);
          else entries[entries.length - 1] += ` ${line.trim()}`;
        }
        return [
          lines[0],
          ...entries.flatMap((entry) => {
            const m = /^( {2}\S.*?\S {2,})(\S.*)$/.exec(entry);
            if (!m) return wrap(entry.trim(), width, '  ', '    ');
            const head = m[1] as string;
            return wrap(m[2] as string, width, head, ' '.repeat(displayWidth(head)));
          }),
        ].join('\n');
      }
      return wrap(lines.map((l) => l.trim()).join(' '), width).join('\n');
    })
    .join('\n\n');
}
