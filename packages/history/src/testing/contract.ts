// The history driver contract: what every backend (memory, file, Redis, …) must do, as one vitest
// suite. A backend's test file calls `runHistoryDriverContract` with a factory of connections to one
// shared storage; each connection plays a separate process.
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryDriver } from '../driver.ts';
import { createHistoryStore, type DriverHistoryStore } from '../store.ts';
import type { CredentialRef } from '../types.ts';

/** One storage for a contract test: `connect()` opens a new connection to it (a "process"). */
export interface ContractStorage {
  connect(): HistoryDriver | Promise<HistoryDriver>;
  /** Removes the storage (called after each test). */
  cleanup?(): Promise<void>;
}

/** A credential identity for contract tests; `n` picks a distinct fake hash. */
export function contractRef(id: string, n = 1, provider = 'openai'): CredentialRef {
  return { id, hash: n.toString(16).padStart(64, '0'), source: 'environment', provider };
}

/**
 * Registers the history driver contract for one backend: merges without lost updates between
 * writers, later-wins settings, cooldowns shared, transactions on the freshest state, clearing one
 * or all entries, an empty start.
 *
 * @param name - the backend's name (in test titles)
 * @param storage - called once per test: a fresh, empty storage
 * @example
 * runHistoryDriverContract('memory', () => { const d = new MemoryDriver(); return { connect: () => d }; });
 */
export function runHistoryDriverContract(
  name: string,
  storage: () => ContractStorage | Promise<ContractStorage>,
): void {
  describe(`history driver contract: ${name}`, () => {
    const stores: DriverHistoryStore[] = [];
    let current: ContractStorage | undefined;
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close().catch(() => {});
      await current?.cleanup?.();
      current = undefined;
    });

    async function open(n: number): Promise<DriverHistoryStore[]> {
      current = await storage();
      const out: DriverHistoryStore[] = [];
      for (let i = 0; i < n; i++) {
        const store = await createHistoryStore(await current.connect(), { flushOnExit: false });
        stores.push(store);
        out.push(store);
      }
      return out;
    }

    it('starts empty', async () => {
      const [a] = (await open(1)) as [DriverHistoryStore];
      expect(a.list()).toEqual([]);
    });

    it('merges writers without losing an update (counters add, times take the latest)', async () => {
      const [a, b] = (await open(2)) as [DriverHistoryStore, DriverHistoryStore];
      a.ensure(contractRef('x'), 10);
      b.ensure(contractRef('x'), 20);
      for (let i = 0; i < 7; i++) a.recordUse('x', 1000 + i);
      for (let i = 0; i < 5; i++) b.recordUse('x', 2000 + i);
      a.recordResult('x', { ok: true, at: 1500, latencyMs: 100 });
      b.recordResult('x', { ok: false, at: 2500 });
      await Promise.all([a.flush(), b.flush()]);
      await a.flush();
      expect(a.get('x')).toMatchObject({
        usageCount: 12,
        lastUsed: 2004,
        successes: 1,
        failures: 1,
        lastSuccessAt: 1500,
        lastFailureAt: 2500,
        latencyMs: 100,
        firstSeen: 10,
      });
    });

    it('counts every event of many concurrent flushes', async () => {
      const stores = await open(4);
      for (const s of stores) s.ensure(contractRef('x'));
      for (let round = 0; round < 5; round++) {
        for (const [i, s] of stores.entries()) for (let k = 0; k < 25; k++) s.recordUse('x', round * 100 + i);
        await Promise.all(stores.map((s) => s.flush()));
      }
      await stores[0]?.flush();
      expect(stores[0]?.get('x')?.usageCount).toBe(4 * 5 * 25);
    });

    it('shares cooldowns (credential-wide and per model), the later change winning', async () => {
      const [a, b] = (await open(2)) as [DriverHistoryStore, DriverHistoryStore];
      a.ensure(contractRef('x'));
      b.ensure(contractRef('x'));
      // Cooldowns that end in the future (a backend may drop ended model cooldowns).
      const T = Date.now();
      a.setCooldown('x', { until: T + 9000, cause: 'rate_limited', at: 2000 });
      b.setCooldown('x', { until: T + 5000, cause: 'server_error', at: 1000 }); // older: loses
      a.setCooldown('x', { until: T + 7000, cause: 'rate_limited', at: 2000, model: 'm1' });
      await a.flush();
      await b.flush();
      await a.flush();
      for (const s of [a, b]) {
        expect(s.get('x')).toMatchObject({
          cooldownUntil: T + 9000,
          cooldownCause: 'rate_limited',
          cooldownSetAt: 2000,
        });
        expect(s.get('x')?.modelCooldowns).toEqual({
          m1: { until: T + 7000, cause: 'rate_limited', setAt: 2000 },
        });
      }
      b.setCooldown('x', { until: null, cause: null, at: 3000 });
      b.setCooldown('x', { until: null, cause: null, at: 3000, model: 'm1' });
      await b.flush();
      await a.flush();
      expect(a.get('x')).toMatchObject({ cooldownUntil: null, cooldownCause: null, modelCooldowns: {} });
    });

    it('keeps status, needs, validation and identity by their own times', async () => {
      const [a, b] = (await open(2)) as [DriverHistoryStore, DriverHistoryStore];
      a.ensure(contractRef('x'));
      b.ensure(contractRef('x'));
      a.setStatus('x', 'invalid', 'rejected (401)', 3000);
      b.setStatus('x', 'active', null, 2000);
      a.setNeeds('x', 'revalidation', 'rejected', 3000);
      b.recordValidation('x', { status: 'valid', reason: 'ok', checkedAt: '2026-05-01T00:00:02.000Z' });
      a.recordValidation('x', { status: 'invalid', reason: 'no', checkedAt: '2026-05-01T00:00:01.000Z' });
      b.observe(contractRef('x', 7), { at: 4000, expiresAt: 9000 });
      await a.flush();
      await b.flush();
      await a.flush();
      expect(a.get('x')).toMatchObject({
        status: 'invalid',
        statusReason: 'rejected (401)',
        statusSetAt: 3000,
        needs: 'revalidation',
        needsReason: 'rejected',
        lastValidation: { status: 'valid', checkedAt: '2026-05-01T00:00:02.000Z' },
        hash: contractRef('x', 7).hash,
        lastSeen: 4000,
        expiresAt: 9000,
      });
    });

    it('restarts the failure streak after a success', async () => {
      const [a, b] = (await open(2)) as [DriverHistoryStore, DriverHistoryStore];
      a.ensure(contractRef('x'));
      b.ensure(contractRef('x'));
      a.recordResult('x', { ok: false, at: 1 });
      a.recordResult('x', { ok: false, at: 2 });
      await a.flush();
      b.recordResult('x', { ok: true, at: 3 });
      b.recordResult('x', { ok: false, at: 4 });
      await b.flush();
      await a.flush();
      expect(a.get('x')).toMatchObject({ consecutiveFailures: 1, failures: 3, successes: 1 });
    });

    it('runs a transaction on the freshest state and commits what it records', async () => {
      const [a, b] = (await open(2)) as [DriverHistoryStore, DriverHistoryStore];
      a.ensure(contractRef('x'));
      await a.flush();
      b.ensure(contractRef('x'));
      b.recordUse('x', 1);
      await b.flush();
      const seen = await a.transaction(() => {
        const uses = a.get('x')?.usageCount;
        a.recordUse('x', 2);
        return uses;
      });
      expect(seen).toBe(1);
      await b.flush();
      expect(b.get('x')?.usageCount).toBe(2);
      expect(a.pendingEvents).toBe(0);
    });

    it('clears one entry, then all, for every writer', async () => {
      const [a, b] = (await open(2)) as [DriverHistoryStore, DriverHistoryStore];
      a.ensure(contractRef('x'));
      a.ensure(contractRef('y'));
      a.recordUse('y', 5);
      await a.flush();
      await b.flush();
      expect(b.list().map((e) => e.id)).toEqual(['x', 'y']);
      await expect(b.clear('x')).resolves.toBe(1);
      await a.flush();
      expect(a.list().map((e) => e.id)).toEqual(['y']);
      expect(a.get('y')?.usageCount).toBe(1);
      await expect(a.clear()).resolves.toBe(1);
      await b.flush();
      expect(b.list()).toEqual([]);
    });

    it('a new store reads everything the others made durable', async () => {
      const [a] = (await open(1)) as [DriverHistoryStore];
      a.ensure(contractRef('x'), 5);
      a.recordUse('x', 6);
      a.setCooldown('x', { until: 99_000, cause: 'quota_exhausted', at: 6 });
      await a.flush();
      const later = await createHistoryStore(await (current as ContractStorage).connect(), {
        flushOnExit: false,
      });
      stores.push(later);
      expect(later.get('x')).toMatchObject({
        usageCount: 1,
        lastUsed: 6,
        firstSeen: 5,
        cooldownUntil: 99_000,
        cooldownCause: 'quota_exhausted',
        status: 'active',
      });
      expect(later.exportJson().records.x?.hash).toBe(contractRef('x').hash);
    });
  });
}
