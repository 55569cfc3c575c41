import { readFileSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FileHistoryStore, openHistoryStore } from './file-store.ts';
import { HistoryFileSchema } from './schema.ts';
import { deadPid, exited, fakeClock, printed, ref, spawnWorker } from './testing/helpers.ts';

let home: TempHome;
const stores: FileHistoryStore[] = [];
beforeEach(async () => {
  home = await createTempHome('ctd-history-');
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await home.cleanup();
});

async function open(options: Parameters<typeof openHistoryStore>[0] = {}) {
  const store = await openHistoryStore({ env: home.env, flushIntervalMs: 0, flushOnExit: false, ...options });
  stores.push(store);
  return store;
}
const defaultFile = () => home.resolve('.openclaw/cli-token-history.json');
const readJson = (path = defaultFile()) => JSON.parse(readFileSync(path, 'utf8'));

describe('FileHistoryStore', () => {
  it('defaults to ~/.openclaw/cli-token-history.json, mode 0600 in a 0700 directory', async () => {
    const store = await open();
    expect(store.location).toBe(defaultFile());
    store.ensure(ref('a'));
    await store.flush();
    expect(statSync(defaultFile()).mode & 0o777).toBe(0o600);
    expect(statSync(home.resolve('.openclaw')).mode & 0o777).toBe(0o700);
    const file = HistoryFileSchema.parse(readJson());
    expect(file.schemaVersion).toBe(1);
    expect(Object.keys(file.records)).toEqual(['a']);
  });

  it('honours an explicit file, CTD_HISTORY_FILE and OPENCLAW_STATE_DIR', async () => {
    expect((await open({ file: home.resolve('x/h.json') })).location).toBe(home.resolve('x/h.json'));
    const env1 = { ...home.env, CTD_HISTORY_FILE: home.resolve('y.json') };
    expect((await open({ env: env1 })).location).toBe(home.resolve('y.json'));
    const env2 = { ...home.env, OPENCLAW_STATE_DIR: home.resolve('state') };
    expect((await open({ env: env2 })).location).toBe(home.resolve('state/cli-token-history.json'));
  });

  it('creates no file until there is something to write', async () => {
    const store = await open();
    await store.flush();
    await expect(readdir(home.resolve('.openclaw'))).resolves.toEqual([]);
  });

  it('keeps hashes, counts and statuses, never anything else', async () => {
    const clock = fakeClock();
    const store = await open({ clock });
    store.ensure(ref('a', 7));
    store.recordUse('a', clock());
    store.recordResult('a', { ok: true, at: clock(), latencyMs: 250 });
    store.setStatus('a', 'active', 'checked', clock());
    await store.flush();
    const record = readJson().records.a;
    expect(record).toMatchObject({
      id: 'a',
      hash: ref('a', 7).hash,
      usageCount: 1,
      successes: 1,
      latencyMs: 250,
      status: 'active',
      lastUsed: new Date(clock()).toISOString(),
    });
  });

  it('batches: nothing is written until a flush, then everything at once', async () => {
    const store = await open({ maxPendingEvents: 1_000_000 });
    store.ensure(ref('a'));
    for (let i = 0; i < 500; i++) store.recordUse('a', Date.now());
    expect(store.pendingEvents).toBe(501);
    await new Promise((r) => setImmediate(r));
    await expect(readdir(home.resolve('.openclaw'))).resolves.toEqual([]);
    await store.flush();
    expect(store.pendingEvents).toBe(0);
    expect(readJson().records.a.usageCount).toBe(500);
  });

  it('starts a flush by itself once maxPendingEvents changes are pending', async () => {
    const store = await open({ maxPendingEvents: 10 });
    store.ensure(ref('a'));
    for (let i = 0; i < 10; i++) store.recordUse('a', Date.now());
    await new Promise((r) => setImmediate(r));
    await store.flush(); // waits for the flush already started
    expect(readJson().records.a.usageCount).toBe(10);
  });

  it('merges two writers on one file without losing an update', async () => {
    const a = await open();
    const b = await open();
    a.ensure(ref('x'));
    b.ensure(ref('x'));
    b.ensure(ref('y', 2));
    for (let i = 0; i < 30; i++) a.recordUse('x', Date.now());
    for (let i = 0; i < 12; i++) b.recordUse('x', Date.now());
    b.recordUse('y', Date.now());
    await Promise.all([a.flush(), b.flush()]);
    await a.flush(); // picks up b's changes
    expect(a.get('x')?.usageCount).toBe(42);
    expect(a.get('y')?.usageCount).toBe(1);
    expect(readJson().records.x.usageCount).toBe(42);
  });

  it('runs a transaction on the freshest state and makes it durable', async () => {
    const a = await open();
    const b = await open();
    a.ensure(ref('x'));
    await a.flush();
    b.ensure(ref('x'));
    for (let i = 0; i < 5; i++) b.recordUse('x', Date.now());
    await b.flush();
    const seen = await a.transaction(() => {
      const count = a.get('x')?.usageCount;
      a.recordUse('x', Date.now());
      return count;
    });
    expect(seen).toBe(5);
    expect(readJson().records.x.usageCount).toBe(6);
  });

  it('clears one credential or all, and exports JSON', async () => {
    const store = await open();
    store.ensure(ref('a'));
    store.ensure(ref('b', 2));
    store.recordUse('a', Date.now());
    await store.flush();
    expect(store.exportJson().records.a?.usageCount).toBe(1);
    await expect(store.clear('a')).resolves.toBe(1);
    await expect(store.clear('nope')).resolves.toBe(0);
    expect(store.get('a')).toBeUndefined();
    expect(Object.keys(readJson().records)).toEqual(['b']);
    await expect(store.clear()).resolves.toBe(1);
    expect(readJson().records).toEqual({});
    expect(store.list()).toEqual([]);
  });

  it('drops an entry another process cleared, and bumps the revision', async () => {
    const a = await open();
    const b = await open();
    a.ensure(ref('x'));
    await a.flush();
    await b.flush();
    expect(b.get('x')).toBeDefined();
    const revision = b.revision;
    await a.clear('x');
    await b.flush();
    expect(b.get('x')).toBeUndefined();
    expect(b.revision).not.toBe(revision);
  });

  it('flushes by itself when the process exits normally', async () => {
    const file = home.resolve('exit/h.json');
    const child = spawnWorker({ mode: 'exit', file, ids: ['a', 'b'], events: 300, yieldEvery: 1000 });
    const { code, stderr } = await exited(child);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = readJson(file).records;
    expect(records.a.usageCount + records.b.usageCount).toBe(300);
  });

  it('flushes exactly once when the process exits in the middle of a flush', async () => {
    // Exiting 0-7 event-loop turns after the flush starts lands in each of its steps (taking the
    // lock, reading, writing, renaming); twice, since the timing varies.
    for (let run = 0; run < 16; run++) {
      const ticks = run % 8;
      const file = home.resolve(`mid-${run}/h.json`);
      const child = spawnWorker({ mode: 'exit-mid-flush', file, ids: ['a', 'b'], events: 150, ticks });
      const { code, stderr } = await exited(child);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const records = readJson(file).records;
      expect(records.a.usageCount + records.b.usageCount).toBe(300);
    }
  });

  it('recovers a lock left by a killed process', async () => {
    const file = home.resolve('.openclaw/cli-token-history.json');
    const holder = spawnWorker({ mode: 'hold', file, ids: [] });
    await printed(holder, 'locked');
    holder.kill('SIGKILL');
    await exited(holder);
    const store = await open({ lock: { timeoutMs: 5_000 } });
    store.ensure(ref('a'));
    await store.flush();
    expect(readJson().records.a).toBeDefined();
  });

  it('recovers a lock file naming a dead process, and removes dead writers’ temp files', async () => {
    const pid = await deadPid();
    await home.write(
      '.openclaw/cli-token-history.json.lock',
      JSON.stringify({ pid, token: 't', at: Date.now() }),
    );
    await home.write(`.openclaw/cli-token-history.json.tmp-${pid}-0123abcd`, '{"half');
    const store = await open({ lock: { timeoutMs: 5_000 } });
    store.ensure(ref('a'));
    await store.flush();
    const names = await readdir(home.resolve('.openclaw'));
    expect(names.sort()).toEqual(['cli-token-history.json']);
  });

  it('rejects changes after close', async () => {
    const store = await open();
    await store.close();
    expect(() => store.ensure(ref('a'))).toThrow(expect.objectContaining({ code: 'BAD_USAGE' }));
  });

  it('reports a background flush failure as a notice instead of throwing', async () => {
    const notices: string[] = [];
    const store = await open({ maxPendingEvents: 1, onNotice: (n) => notices.push(n.code) });
    store.ensure(ref('a'));
    await store.flush();
    await writeFile(defaultFile(), JSON.stringify({ schemaVersion: 9 }));
    store.recordUse('a', Date.now());
    await new Promise((r) => setImmediate(r));
    await store.flush().catch(() => {});
    expect(notices).toContain('UNSUPPORTED_VERSION');
    expect(store.pendingEvents).toBeGreaterThan(0);
    expect(readJson()).toEqual({ schemaVersion: 9 });
  });
});

describe('FileHistoryStore layout', () => {
  it('writes through a temp file in the same directory (no partial file is ever visible)', async () => {
    const store = await open();
    store.ensure(ref('a'));
    await store.flush();
    const names = await readdir(join(home.path, '.openclaw'));
    expect(names).toEqual(['cli-token-history.json']);
  });
});
