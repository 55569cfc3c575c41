import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SourceId } from '@ctd/core';
import { ALL_ADAPTERS, createScanContext } from '@ctd/scanners';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialWatcher, type StoreChange } from './watcher.ts';

let home: TempHome;
let watcher: CredentialWatcher | undefined;
let changes: StoreChange[];
let waiters: { source: SourceId; path: string; resolve: () => void }[];

function expectChange(source: SourceId, path: string): Promise<void> {
  // Resolves on the first batch of this source naming the path (the watcher reports paths it watches).
  return new Promise((resolve) => {
    waiters.push({ source, path, resolve });
  });
}

async function startWatcher(sources?: SourceId[]): Promise<CredentialWatcher> {
  changes = [];
  waiters = [];
  const w = new CredentialWatcher({
    env: { HOME: home.path },
    debounceMs: 30,
    ...(sources ? { sources } : {}),
    onChange: (change) => {
      changes.push(change);
      for (const waiter of [...waiters]) {
        if (
          waiter.source === change.source &&
          change.paths.some((p) => p === waiter.path || waiter.path.startsWith(`${p}/`))
        ) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
  });
  await w.start();
  watcher = w;
  return w;
}

beforeEach(async () => {
  home = await createTempHome('ctd-watch-');
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await home.cleanup();
});

const ctx = () => createScanContext({ env: { HOME: home.path } });

describe('CredentialWatcher', () => {
  it('watches every file of every adapter', async () => {
    const w = await startWatcher();
    const expected = ALL_ADAPTERS.flatMap((a) => a.files(ctx()).map((f) => [f.path, a.id] as const));
    for (const [path, source] of expected) expect(w.files.get(path)).toBe(source);
  });

  it('sees each watched file edited, atomically replaced, deleted and re-created', async () => {
    // Every directory exists up front, so the waits below are for the file events only.
    const files = ALL_ADAPTERS.flatMap((a) => a.files(ctx()).map((f) => ({ path: f.path, source: a.id })));
    for (const f of files) {
      await mkdir(dirname(f.path), { recursive: true });
      await writeFile(f.path, '{}\n', { mode: 0o600 });
    }
    await startWatcher();
    for (const f of files) {
      let seen = expectChange(f.source, f.path);
      await writeFile(f.path, '{"edited":true}\n');
      await seen;

      seen = expectChange(f.source, f.path);
      const tmp = join(dirname(f.path), `.tmp-${process.pid}-replace`);
      await writeFile(tmp, '{"replaced":true}\n', { mode: 0o600 });
      await rename(tmp, f.path);
      await seen;

      seen = expectChange(f.source, f.path);
      await rm(f.path);
      await seen;

      seen = expectChange(f.source, f.path);
      await writeFile(f.path, '{"again":true}\n', { mode: 0o600 });
      await seen;
    }
  }, 60_000);

  it('sees each file again after its directory is deleted and re-created', async () => {
    const files = ALL_ADAPTERS.flatMap((a) => a.files(ctx()).map((f) => ({ path: f.path, source: a.id })));
    // The directories other than HOME itself (deleting HOME would take the test's sandbox with it).
    const byDir = new Map<string, { path: string; source: SourceId }[]>();
    for (const f of files) {
      if (dirname(f.path) === home.path) continue;
      byDir.set(dirname(f.path), [...(byDir.get(dirname(f.path)) ?? []), f]);
    }
    for (const dir of byDir.keys()) await mkdir(dir, { recursive: true });
    await startWatcher();
    for (const [dir, inDir] of byDir) {
      const first = inDir[0] as { path: string; source: SourceId };
      let seen = expectChange(first.source, first.path);
      await writeFile(first.path, '{}\n');
      await seen;

      seen = expectChange(first.source, first.path);
      await rm(dir, { recursive: true });
      await seen;

      // The directory comes back, then the file in it: the new file is seen.
      await mkdir(dir, { recursive: true });
      seen = expectChange(first.source, first.path);
      await writeFile(first.path, '{"back":true}\n', { mode: 0o600 });
      await seen;

      seen = expectChange(first.source, first.path);
      await writeFile(first.path, '{"edited after":true}\n');
      await seen;
    }
  }, 60_000);

  it('sees a store whose directory did not exist when watching started', async () => {
    const codex = join(home.path, '.codex', 'auth.json');
    await startWatcher(['codex-cli']);
    const seen = expectChange('codex-cli', codex);
    await mkdir(dirname(codex), { recursive: true });
    await writeFile(codex, '{}\n', { mode: 0o600 });
    await seen;
  });

  it('debounces a burst into one report per source and ignores other files', async () => {
    const codex = join(home.path, '.codex', 'auth.json');
    await mkdir(dirname(codex), { recursive: true });
    await startWatcher(['codex-cli']);
    await writeFile(join(home.path, '.codex', 'unrelated.txt'), 'x');
    const seen = expectChange('codex-cli', codex);
    for (let i = 0; i < 5; i++) await writeFile(codex, `{"n":${i}}\n`);
    await seen;
    expect(changes.filter((c) => c.source === 'codex-cli')).toHaveLength(1);
    expect(changes.flatMap((c) => c.paths)).not.toContain(join(home.path, '.codex', 'unrelated.txt'));
  });
});
