import { createTempHome, type TempHome, writeFullHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Column, renderTable } from './table.ts';
import { runCtd } from './test-support.ts';
import { displayWidth, elide, wrap } from './text.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));

describe('renderTable', () => {
  const columns: Column[] = [
    { header: 'NAME' },
    { header: 'NOTE', min: 6 },
    { header: 'ID', min: 10, elide: 'middle' },
    { header: 'EXTRA', dropOrder: 1 },
  ];
  const rows = [
    ['alpha', 'a rather long note about alpha', 'codex-cli:openai:acct-1234abcd', 'x'.repeat(20)],
  ];

  it('shows everything without a width', () => {
    const out = renderTable(columns, rows);
    expect(out).toContain('a rather long note about alpha');
    expect(out).toContain('x'.repeat(20));
  });

  it('fits a width: drops the droppable columns first, then elides (end or middle), never a header', () => {
    const out = renderTable(columns, rows, 40);
    expect(widest(out)).toBeLessThanOrEqual(40);
    expect(out).not.toContain('EXTRA');
    expect(out).toMatch(/a rather long…/);
    expect(out).toMatch(/ codex-c…234abcd$/m);
    expect(out).toContain('NOTE');
  });

  it('escapes control characters in cells, so a cell stays one line', () => {
    const out = renderTable([{ header: 'A' }, { header: 'B' }], [['x\u001b[2Jy', 'line\nbreak']]);
    expect(out).not.toContain('\u001b');
    expect(out.split('\n')).toHaveLength(3);
    expect(out).toContain('x\\e[2Jy');
  });
});

describe('text helpers', () => {
  it('measures wide characters and ignores colour codes', () => {
    expect(displayWidth('\u001b[32mok\u001b[39m')).toBe(2);
    expect(displayWidth('山田')).toBe(4);
    expect(elide('山田太郎さん', 5)).toBe('山田…');
  });

  it('wraps at the width with a hanging indent', () => {
    const lines = wrap('one two three four five six seven', 14, '  - ', '    ');
    expect(lines).toEqual(['  - one two', '    three four', '    five six', '    seven']);
    for (const l of wrap(`see ${'x'.repeat(50)} now`, 20, '  ', '  '))
      expect(displayWidth(l)).toBeLessThanOrEqual(20);
  });
});

describe('ctd output at 80 columns', () => {
  it('scan: no line of a full home is wider than 80 columns; --wide shows every column in full', async () => {
    const full = await writeFullHome(home);
    for (const args of [
      ['scan', '--offline'],
      ['scan', '--offline', '--explain'],
    ]) {
      const r = await runCtd(args, full.env, { columns: 80 });
      expect(r.code).toBe(0);
      expect(widest(r.stdout)).toBeLessThanOrEqual(80);
      expect(r.stdout).toContain('SOURCE');
    }
    // On a pipe (no terminal width) the layout is the same 80 columns.
    const piped = await runCtd(['scan', '--offline'], full.env);
    expect(widest(piped.stdout)).toBeLessThanOrEqual(80);
    const wide = await runCtd(['scan', '--offline', '--wide'], full.env, { columns: 80 });
    expect(widest(wide.stdout)).toBeGreaterThan(80);
    expect(wide.stdout).toContain('HASH');
    expect(wide.stdout).toContain('EXPIRES');
    expect(wide.stdout).toContain('https://example.com token (opencode, exported as $EXAMPLE_TOKEN)');
    expect(wide.stdout).toContain('codex-user@example.com · plus');
  });

  it('status and history fit 80 columns too', async () => {
    const full = await writeFullHome(home);
    expect((await runCtd(['scan', '--offline'], full.env)).code).toBe(0);
    for (const args of [['status'], ['history']]) {
      const r = await runCtd(args, full.env, { columns: 80 });
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').length).toBeGreaterThan(5);
      expect(widest(r.stdout)).toBeLessThanOrEqual(80);
    }
  });

  it('fits narrower terminals down to 40 columns', async () => {
    const full = await writeFullHome(home);
    const r = await runCtd(['scan', '--offline'], full.env, { columns: 60 });
    expect(widest(r.stdout)).toBeLessThanOrEqual(60);
  });
});
