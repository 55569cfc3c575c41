import { readFileSync, statSync } from 'node:fs';
import { chmod, readdir } from 'node:fs/promises';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toHistoryFile } from './codec.ts';
import { type FileHistoryStore, openHistoryStore, parseHistoryText } from './file-store.ts';
import { HistoryState } from './state.ts';
import { ref } from './testing/helpers.ts';

let home: TempHome;
const stores: FileHistoryStore[] = [];
beforeEach(async () => {
  home = await createTempHome('ctd-history-bad-');
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await home.cleanup();
});

const REL = '.openclaw/cli-token-history.json';
const T = Date.parse('2026-05-01T00:00:00.000Z');

/** Writes the history file in a private (0700) directory, so that only the file itself is at fault. */
async function writeHistory(content: string, mode?: number) {
  await home.write(REL, content, mode);
  await chmod(home.resolve('.openclaw'), 0o700);
}

async function open() {
  const store = await openHistoryStore({
    env: home.env,
    flushIntervalMs: 0,
    flushOnExit: false,
    clock: () => T,
  });
  stores.push(store);
  return store;
}

function validFile(usage = 3): string {
  const s = new HistoryState();
  s.ensure(ref('a'), T);
  for (let i = 0; i < usage; i++) s.recordUse('a', T);
  return `${JSON.stringify(toHistoryFile(s.snapshot(), T), null, 2)}\n`;
}

async function expectMovedAside(content: string, code: string) {
  await writeHistory(content);
  const store = await open();
  expect(store.list()).toEqual([]);
  expect(store.notices).toHaveLength(1);
  const notice = store.notices[0];
  expect(notice?.code).toBe(code);
  expect(notice?.movedTo).toMatch(/cli-token-history\.json\.corrupt-2026-05-01T00-00-00-000Z$/);
  expect(readFileSync(notice?.movedTo as string, 'utf8')).toBe(content);
  // The notice never repeats file content.
  if (content.length > 0) expect(notice?.message).not.toContain(content.slice(0, 20));
  // A fresh history starts and is written normally.
  store.ensure(ref('b', 2));
  await store.flush();
  expect(Object.keys(JSON.parse(readFileSync(home.resolve(REL), 'utf8')).records)).toEqual(['b']);
}

describe('bad history files', () => {
  it('moves a corrupt file aside, reports it and starts fresh', async () => {
    await expectMovedAside('this is not json {{{', 'INVALID_JSON');
  });

  it('treats a truncated file as corrupt', async () => {
    const full = validFile();
    await expectMovedAside(full.slice(0, Math.floor(full.length / 2)), 'INVALID_JSON');
  });

  it('treats an empty file as corrupt', async () => {
    await expectMovedAside('', 'INVALID_JSON');
  });

  it('treats JSON of the wrong shape as corrupt', async () => {
    await expectMovedAside('{"schemaVersion":1,"records":[1,2,3]}', 'INVALID_SHAPE');
    const bad = JSON.parse(validFile());
    bad.records.a.usageCount = -4;
    await home.cleanup();
    home = await createTempHome('ctd-history-bad-');
    await expectMovedAside(JSON.stringify(bad), 'INVALID_SHAPE');
  });

  it('never overwrites a file from a newer schema version: a clear error instead', async () => {
    const newer = JSON.stringify({
      format: 'ctd-cli-token-history',
      schemaVersion: 2,
      records: {},
      extra: 'x',
    });
    await home.write(REL, newer);
    await expect(open()).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    expect(readFileSync(home.resolve(REL), 'utf8')).toBe(newer);
    expect(await readdir(home.resolve('.openclaw'))).toEqual(['cli-token-history.json']);
  });

  it('refuses to flush over a file that became newer after opening', async () => {
    const store = await open();
    store.ensure(ref('a'));
    await store.flush();
    const newer = JSON.stringify({ schemaVersion: 3 });
    await home.write(REL, newer);
    store.recordUse('a', T);
    await expect(store.flush()).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    expect(readFileSync(home.resolve(REL), 'utf8')).toBe(newer);
  });

  it('moves aside a file that became corrupt after opening, keeping what it knew', async () => {
    const store = await open();
    store.ensure(ref('a'));
    store.recordUse('a', T);
    await store.flush();
    await home.write(REL, '{"format":');
    store.recordUse('a', T);
    await store.flush();
    expect(store.notices.map((n) => n.code)).toEqual(['INVALID_JSON']);
    const records = JSON.parse(readFileSync(home.resolve(REL), 'utf8')).records;
    expect(records.a.usageCount).toBe(2);
  });

  it('tightens a world-readable history file to 0600 and reports it', async () => {
    await writeHistory(validFile(), 0o644);
    const store = await open();
    expect(statSync(home.resolve(REL)).mode & 0o777).toBe(0o600);
    expect(store.notices.map((n) => n.code)).toEqual(['INSECURE_PERMISSIONS']);
    expect(store.get('a')?.usageCount).toBe(3);
  });

  it('repairs a file with no permissions at all (mode 0000)', async () => {
    await writeHistory(validFile(), 0o000);
    const store = await open();
    expect(statSync(home.resolve(REL)).mode & 0o777).toBe(0o600);
    expect(store.get('a')?.usageCount).toBe(3);
  });

  it('tightens the default directory to 0700 and reports it', async () => {
    await home.write(REL, validFile());
    await chmod(home.resolve('.openclaw'), 0o755);
    const store = await open();
    expect(statSync(home.resolve('.openclaw')).mode & 0o777).toBe(0o700);
    expect(store.notices.map((n) => n.message)).toEqual(['history directory had mode 0755; set to 0700']);
  });

  it('only reports a loose directory the caller chose', async () => {
    await home.mkdir('shared');
    await chmod(home.resolve('shared'), 0o755);
    const store = await openHistoryStore({
      file: home.resolve('shared/h.json'),
      flushIntervalMs: 0,
      flushOnExit: false,
    });
    stores.push(store);
    expect(statSync(home.resolve('shared')).mode & 0o777).toBe(0o755);
    expect(store.notices.map((n) => n.code)).toEqual(['INSECURE_PERMISSIONS']);
  });

  it('fails clearly when a directory stands where the file should be', async () => {
    await home.mkdir(REL);
    await expect(open()).rejects.toMatchObject({ code: 'NOT_A_FILE' });
  });
});

describe('parseHistoryText', () => {
  it('classifies every kind of content', () => {
    expect(parseHistoryText(validFile()).kind).toBe('ok');
    expect(parseHistoryText('{').kind).toBe('corrupt');
    expect(parseHistoryText('null').kind).toBe('corrupt');
    expect(parseHistoryText('{"schemaVersion":2}')).toEqual({ kind: 'newer', version: 2 });
    expect(parseHistoryText('{"schemaVersion":0}').kind).toBe('corrupt');
  });
});
