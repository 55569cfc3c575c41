// Several real processes on one history file: no update lost, and no corrupt file after SIGKILL.
import { readFileSync } from 'node:fs';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHistoryText } from './file-store.ts';
import { exited, printed, spawnWorker } from './testing/helpers.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome('ctd-history-mp-');
});
afterEach(() => home.cleanup());

const IDS = ['c1', 'c2', 'c3', 'c4', 'c5'];

describe('history shared by several processes', () => {
  it('counts all 20,000 usage events recorded by 4 processes on one file', async () => {
    const file = home.resolve('.openclaw/cli-token-history.json');
    const workers = Array.from({ length: 4 }, () =>
      spawnWorker({ mode: 'usage', file, ids: IDS, events: 5000, yieldEvery: 50, maxPendingEvents: 200 }),
    );
    const results = await Promise.all(workers.map(exited));
    for (const r of results) expect(r).toEqual({ code: 0, signal: null, stderr: '' });
    const parsed = parseHistoryText(readFileSync(file, 'utf8'));
    if (parsed.kind !== 'ok') throw new Error(`history file is ${parsed.kind}`);
    const counts = IDS.map((id) => parsed.state.get(id)?.usageCount ?? 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(counts).toEqual([4000, 4000, 4000, 4000, 4000]);
  });

  it('never leaves a file that does not parse when a writer is killed at random points (50 times)', async () => {
    const file = home.resolve('.openclaw/cli-token-history.json');
    let lastTotal = 0;
    for (let round = 0; round < 50; round++) {
      const child = spawnWorker({ mode: 'hammer', file, ids: IDS });
      const done = exited(child);
      await printed(child, 'ready');
      // A random point inside the flush loop (each flush takes about a millisecond).
      await new Promise((r) => setTimeout(r, Math.random() * 25));
      child.kill('SIGKILL');
      const r = await done;
      expect(r.signal).toBe('SIGKILL');
      const parsed = parseHistoryText(readFileSync(file, 'utf8'));
      expect(parsed.kind).toBe('ok');
      if (parsed.kind !== 'ok') continue;
      // Counts never go backwards: a kill loses at most the unflushed window.
      const total = IDS.reduce((sum, id) => sum + (parsed.state.get(id)?.usageCount ?? 0), 0);
      expect(total).toBeGreaterThanOrEqual(lastTotal);
      lastTotal = total;
    }
    expect(lastTotal).toBeGreaterThan(0);
  }, 120_000);
});
