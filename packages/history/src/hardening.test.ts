// Regression tests of issue 9 on real files, links, FIFOs and directories: a leftover lock never
// hangs the history (class 1); another program's files are never chmodded or renamed (class 4); a
// history too large to read can still be cleared, and is moved aside (class 7).
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeHistoryFile } from './codec.ts';
import { clearHistoryFile, type FileHistoryStore, openHistoryStore } from './file-store.ts';
import { recordScan } from './scan.ts';
import { HistoryState } from './state.ts';
import { exited, ref, spawnWorker } from './testing/helpers.ts';

let home: TempHome;
const stores: FileHistoryStore[] = [];
beforeEach(async () => {
  home = await createTempHome('ctd-history-hard-');
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await home.cleanup();
});

const REL = '.openclaw/cli-token-history.json';
const T = Date.parse('2026-05-01T00:00:00.000Z');
const mode = (p: string) => statSync(p).mode & 0o7777;

async function open(options: Parameters<typeof openHistoryStore>[0] = {}) {
  const store = await openHistoryStore({
    env: home.env,
    flushIntervalMs: 0,
    flushOnExit: false,
    clock: () => T,
    ...options,
  });
  stores.push(store);
  return store;
}

function historyText(ids: string[]): string {
  const s = new HistoryState();
  ids.forEach((id, i) => {
    s.ensure(ref(id, i + 1), T);
  });
  return encodeHistoryFile(s.snapshot(), T);
}

const CODEX_AUTH = '{\n  "auth_mode": "apikey",\n  "OPENAI_API_KEY": "sk-test-PLACEHOLDER"\n}\n';

describe('a leftover lock never hangs the history (issue 9, class 1)', () => {
  const kinds: [string, (path: string) => Promise<void>][] = [
    ['a dangling symbolic link', (p) => symlink(home.resolve('.openclaw/nowhere'), p)],
    ['a FIFO', async (p) => void execFileSync('mkfifo', [p])],
    ['a directory', (p) => mkdir(p)],
  ];
  for (const [kind, make] of kinds) {
    it(`reports a lock that is ${kind} at once (LOCK_UNUSABLE), and the store stays usable for reading`, async () => {
      await home.write(REL, historyText(['a']));
      await chmod(home.resolve('.openclaw'), 0o700);
      await make(home.resolve(`${REL}.lock`));
      const store = await open(); // default lock timeout (15 s): nothing may wait for it
      const started = Date.now();
      expect(store.get('a')).toBeDefined();
      await expect(
        recordScan(store, [{ ...ref('b', 2), kind: 'api_key' } as never], [], T),
      ).rejects.toMatchObject({ code: 'LOCK_UNUSABLE' });
      await expect(store.close()).rejects.toMatchObject({ code: 'LOCK_UNUSABLE' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(existsSync(home.resolve('.openclaw/nowhere'))).toBe(false);
      // A command that only reads never needs the lock.
      const reader = await open({ readOnly: true });
      expect(reader.list().map((e) => e.id)).toEqual(['a']);
    });
  }

  it('waits for a live pid with a far-future time once per command: no second wait, not even at exit', async () => {
    const file = home.resolve('blocked/h.json');
    await mkdir(home.resolve('blocked'), { mode: 0o700 });
    const planted = JSON.stringify({
      pid: process.pid,
      token: 'future',
      at: Date.now() + 10 * 365 * 86_400_000,
    });
    await writeFile(`${file}.lock`, planted);
    const timeoutMs = 4_000;
    const started = Date.now();
    const child = spawnWorker({ mode: 'blocked', file, ids: ['a'], lockTimeoutMs: timeoutMs });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const { code, stderr } = await exited(child);
    const elapsed = Date.now() - started;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.step, l.code])).toEqual([
      ['flush', 'LOCK_TIMEOUT'],
      ['again', 'LOCK_TIMEOUT'],
      ['done', undefined],
    ]);
    expect(lines[1].message).toContain('already waited');
    // One wait of 4 s; a second one (the retry, or the exit flush) would make it 8 s or more.
    expect(elapsed).toBeLessThan(2 * timeoutMs);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(planted);
  }, 30_000);
});

describe("another program's files are sacred (issue 9, class 4)", () => {
  it('never chmods through a symlinked history file: its 0644 target stays 0644, and is written in place', async () => {
    await home.write('dotfiles/history.json', historyText(['a']));
    await chmod(home.resolve('dotfiles/history.json'), 0o644);
    await mkdir(home.resolve('.openclaw'), { mode: 0o700 });
    await symlink(home.resolve('dotfiles/history.json'), home.resolve(REL));
    const store = await open();
    expect(store.notices.map((n) => n.message)).toEqual([
      'history file is a symbolic link to a file with mode 0644; left as is (0600 is recommended)',
    ]);
    store.ensure(ref('b', 2));
    await store.flush();
    expect(mode(home.resolve('dotfiles/history.json'))).toBe(0o644);
    expect(lstatSync(home.resolve(REL)).isSymbolicLink()).toBe(true);
    expect(await readlink(home.resolve(REL))).toBe(home.resolve('dotfiles/history.json'));
    const records = JSON.parse(readFileSync(home.resolve('dotfiles/history.json'), 'utf8')).records;
    expect(Object.keys(records)).toEqual(['a', 'b']);
  });

  it('keeps the mode of a 1777 state directory, set or reached through a link', async () => {
    await mkdir(home.resolve('shared'));
    await chmod(home.resolve('shared'), 0o1777);
    // OPENCLAW_STATE_DIR pointing at it.
    const viaEnv = await open({ env: { ...home.env, OPENCLAW_STATE_DIR: home.resolve('shared') } });
    viaEnv.ensure(ref('a'));
    await viaEnv.flush();
    expect(mode(home.resolve('shared'))).toBe(0o1777);
    expect(viaEnv.notices.map((n) => n.code)).toEqual(['INSECURE_PERMISSIONS']);
    // ~/.openclaw as a link to it.
    await symlink(home.resolve('shared'), home.resolve('.openclaw'));
    const viaLink = await open();
    viaLink.ensure(ref('b', 2));
    await viaLink.flush();
    expect(mode(home.resolve('shared'))).toBe(0o1777);
    expect(viaLink.notices.map((n) => n.message)).toEqual([
      'history directory is a symbolic link to a directory with mode 1777; left as is (0700 is recommended)',
    ]);
    expect(mode(home.resolve('shared/cli-token-history.json'))).toBe(0o600);
  });

  it('never renames or changes a Codex auth.json opened as history, for writing or reading', async () => {
    await home.write('.codex/auth.json', CODEX_AUTH, 0o644);
    const file = home.resolve('.codex/auth.json');
    await expect(open({ file })).rejects.toMatchObject({ code: 'FOREIGN_FILE' });
    await expect(open({ file, readOnly: true })).rejects.toMatchObject({ code: 'FOREIGN_FILE' });
    await expect(clearHistoryFile({ file })).rejects.toMatchObject({ code: 'FOREIGN_FILE' });
    expect(await readdir(home.resolve('.codex'))).toEqual(['auth.json']);
    expect(readFileSync(file, 'utf8')).toBe(CODEX_AUTH);
    expect(mode(file)).toBe(0o644);
  });

  it('moves aside only a file that is recognisably a history with a bad body', async () => {
    const file = home.resolve('custom/h.json');
    // Not JSON, not our name, no history format: someone else's file.
    await home.write('custom/h.json', 'export PATH=/usr/bin\n');
    await expect(open({ file })).rejects.toMatchObject({ code: 'FOREIGN_FILE' });
    expect(await readdir(home.resolve('custom'))).toEqual(['h.json']);
    // A truncated history under the same name: ours, moved aside.
    const full = historyText(['a', 'b']);
    await home.write('custom/h.json', full.slice(0, Math.floor(full.length / 2)));
    const store = await open({ file });
    expect(store.notices.map((n) => n.code)).toContain('INVALID_JSON');
    expect((await readdir(home.resolve('custom'))).sort()).toEqual([
      'h.json.corrupt-2026-05-01T00-00-00-000Z',
    ]);
  });

  it('never renames, chmods, creates or locks anything when opened read-only', async () => {
    await home.write(REL, '{"format":"ctd-cli-token-history","schemaVersion":1,"records":', 0o644);
    await chmod(home.resolve('.openclaw'), 0o755);
    const before = await readdir(home.resolve('.openclaw'));
    const store = await open({ readOnly: true });
    expect(store.list()).toEqual([]);
    expect(store.notices.map((n) => n.code)).toEqual(['INSECURE_PERMISSIONS', 'INVALID_JSON']);
    expect(store.notices[1]?.message).toContain('left in place');
    expect(() => store.ensure(ref('a'))).toThrow(expect.objectContaining({ code: 'BAD_USAGE' }));
    await store.flush();
    await store.close();
    expect(await readdir(home.resolve('.openclaw'))).toEqual(before);
    expect(mode(home.resolve(REL))).toBe(0o644);
    expect(mode(home.resolve('.openclaw'))).toBe(0o755);
    // Nothing there at all: nothing is created.
    const other = await open({ readOnly: true, file: home.resolve('none/h.json') });
    expect(other.list()).toEqual([]);
    expect(existsSync(home.resolve('none'))).toBe(false);
  });
});

describe('a history too large to read (issue 9, class 7)', () => {
  it('fails to open with FILE_TOO_LARGE, and clearing moves it aside with a clear message', async () => {
    const big = historyText(Array.from({ length: 40 }, (_, i) => `c${i}`));
    expect(big.length).toBeGreaterThan(4096);
    await home.write(REL, big);
    await chmod(home.resolve('.openclaw'), 0o700);
    await expect(open({ maxBytes: 4096 })).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: expect.stringContaining('clear'),
    });
    await expect(open({ maxBytes: 4096, readOnly: true })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    const cleared = await clearHistoryFile({ env: home.env, maxBytes: 4096, clock: () => T });
    expect(cleared.removed).toBeNull();
    expect(cleared.movedTo).toBe(home.resolve(`${REL}.too-large-2026-05-01T00-00-00-000Z`));
    expect(cleared.notices.map((n) => n.message)).toEqual([
      'the history file was larger than 4 KiB, too large to read; moved aside to cli-token-history.json.too-large-2026-05-01T00-00-00-000Z and started a fresh history',
    ]);
    expect(readFileSync(cleared.movedTo as string, 'utf8')).toBe(big);
    expect(existsSync(home.resolve(REL))).toBe(false);
    const store = await open({ maxBytes: 4096 });
    expect(store.list()).toEqual([]);
  });

  it('empties a readable history, and leaves an oversized file that is not a history alone', async () => {
    await home.write(REL, historyText(['a', 'b']));
    await expect(clearHistoryFile({ env: home.env })).resolves.toMatchObject({ removed: 2 });
    expect(JSON.parse(readFileSync(home.resolve(REL), 'utf8')).records).toEqual({});
    await home.write('big.json', `{"data":"${'x'.repeat(8192)}"}`);
    await expect(clearHistoryFile({ file: home.resolve('big.json'), maxBytes: 4096 })).rejects.toMatchObject({
      code: 'FOREIGN_FILE',
    });
    expect(existsSync(home.resolve('big.json'))).toBe(true);
  });
});
