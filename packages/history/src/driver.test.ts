// The store is written once over drivers: the same behaviour on the memory driver and on the file
// driver, and a backend is only a driver (a custom one is plugged in with createHistoryStore).
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HistoryDriver, MemoryDriver } from './driver.ts';
import { FileDriver } from './file-driver.ts';
import type { EntryMap } from './state.ts';
import { createHistoryStore, type DriverHistoryStore } from './store.ts';
import { ref } from './testing/helpers.ts';

let home: TempHome;
const stores: DriverHistoryStore[] = [];
beforeEach(async () => {
  home = await createTempHome('ctd-history-driver-');
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await home.cleanup();
});

const drivers: [string, () => () => HistoryDriver][] = [
  [
    'memory',
    () => {
      const shared = new MemoryDriver();
      return () => shared;
    },
  ],
  [
    'file',
    () => {
      const file = home.resolve('h.json');
      return () => new FileDriver(file);
    },
  ],
];

for (const [name, make] of drivers) {
  describe(`the store over the ${name} driver`, () => {
    async function two() {
      const driver = make();
      const a = await createHistoryStore(driver(), { flushOnExit: false });
      const b = await createHistoryStore(driver(), { flushOnExit: false });
      stores.push(a, b);
      return { a, b };
    }

    it('merges two writers without losing an update, and shares cooldowns', async () => {
      const { a, b } = await two();
      a.ensure(ref('x'));
      b.ensure(ref('x'));
      for (let i = 0; i < 7; i++) a.recordUse('x', 1000 + i);
      for (let i = 0; i < 5; i++) b.recordUse('x', 2000 + i);
      b.setCooldown('x', { until: 9000, cause: 'rate_limited', at: 2001 });
      await a.flush();
      await b.flush();
      await a.flush();
      expect(a.get('x')).toMatchObject({ usageCount: 12, lastUsed: 2004, cooldownUntil: 9000 });
    });

    it('runs transactions on the freshest state, and clears', async () => {
      const { a, b } = await two();
      a.ensure(ref('x'));
      await a.flush();
      b.ensure(ref('x'));
      b.recordUse('x', 1);
      await b.flush();
      await expect(a.transaction(() => a.get('x')?.usageCount)).resolves.toBe(1);
      await expect(b.clear('x')).resolves.toBe(1);
      await a.flush();
      expect(a.get('x')).toBeUndefined();
    });
  });
}

describe('a custom driver', () => {
  it('is all a new backend needs: read, commit(merge), clear', async () => {
    let stored: EntryMap = new Map();
    let commits = 0;
    const driver: HistoryDriver = {
      location: 'custom://test',
      read: async () => stored,
      commit: async (merge) => {
        commits++;
        stored = merge(stored);
        return stored;
      },
      clear: async () => {
        const removed = stored.size;
        stored = new Map();
        return { removed };
      },
    };
    const store = await createHistoryStore(driver);
    stores.push(store);
    store.ensure(ref('x'));
    store.recordUse('x', 5);
    await store.flush();
    expect(commits).toBe(1);
    expect(stored.get('x')).toMatchObject({ usageCount: 1, lastUsed: 5 });
    expect(store.location).toBe('custom://test');
  });
});
