// The shared-rotation contract: what several gateways sharing one history backend must see, as
// one vitest suite run against the memory, file and Redis drivers. Each `connect()` of the storage
// plays one gateway.
import { createHistoryStore, type DriverHistoryStore } from '@ctd/history';
import type { ContractStorage } from '@ctd/history/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createRotator, type Rotator, type Strategy } from '../rotator.ts';
import { credentials, fakeClock } from './sim.ts';

/** What a backend can do beyond the contract every backend meets. */
export interface RotatorContractCapabilities {
  /** A probe in flight is known to every gateway (a lease on the server): only one probes. */
  sharedProbes?: boolean | undefined;
}

/**
 * Registers the shared-rotation contract for one backend: `acquireShared` spreads least-used
 * and round-robin evenly across gateways, a cooldown reported by one gateway is honoured by the
 * others, and (when the backend shares probes) only one gateway probes a recovered credential.
 *
 * @param name - the backend's name (in test titles)
 * @param storage - called once per test: a fresh, empty storage
 * @param capabilities - what else the backend guarantees
 */
export function runRotatorContract(
  name: string,
  storage: () => ContractStorage | Promise<ContractStorage>,
  capabilities: RotatorContractCapabilities = {},
): void {
  describe(`shared rotation contract: ${name}`, () => {
    const stores: DriverHistoryStore[] = [];
    let current: ContractStorage | undefined;
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close().catch(() => {});
      await current?.cleanup?.();
      current = undefined;
    });

    async function gateways(
      n: number,
      strategy: Strategy,
      options: { clock?: () => number; sameId?: boolean; creds?: number } = {},
    ): Promise<{ store: DriverHistoryStore; rotator: Rotator }[]> {
      current = await storage();
      const out = [];
      for (let i = 0; i < n; i++) {
        const store = await createHistoryStore(await current.connect(), {
          flushOnExit: false,
          ...(options.clock ? { clock: options.clock } : {}),
        });
        stores.push(store);
        const rotator = createRotator({
          store,
          strategy,
          instanceId: options.sameId ? 'same' : `gateway-${i}`,
          ...(options.clock ? { clock: options.clock } : {}),
        });
        rotator.setCredentials(credentials(options.creds ?? 3));
        await store.flush();
        out.push({ store, rotator });
      }
      return out;
    }

    async function totals(store: DriverHistoryStore): Promise<number[]> {
      await store.flush();
      return store.list().map((e) => e.usageCount);
    }

    it('least-used: gateways with the same tie order still spread every round evenly', async () => {
      const gs = await gateways(2, 'least-used', { sameId: true });
      const picks: string[] = [];
      for (let i = 0; i < 12; i++) {
        const g = gs[i % 2] as (typeof gs)[number];
        const lease = await g.rotator.acquireShared({ provider: 'openai' });
        if (!lease.ok) throw new Error(lease.reason);
        picks.push(lease.id);
      }
      for (let round = 0; round < 4; round++) {
        expect(picks.slice(round * 3, round * 3 + 3).sort()).toEqual(['c1', 'c2', 'c3']);
      }
      for (const g of gs) await g.store.flush();
      expect(await totals(gs[0]?.store as DriverHistoryStore)).toEqual([4, 4, 4]);
    });

    it('round-robin: three gateways together give each credential the same share', async () => {
      const gs = await gateways(3, 'round-robin');
      for (let i = 0; i < 90; i++) {
        const lease = await (gs[i % 3] as (typeof gs)[number]).rotator.acquireShared({ provider: 'openai' });
        if (!lease.ok) throw new Error(lease.reason);
      }
      for (const g of gs) await g.store.flush();
      expect(await totals(gs[0]?.store as DriverHistoryStore)).toEqual([30, 30, 30]);
    });

    it('a cooldown reported by one gateway is honoured by the others', async () => {
      const gs = await gateways(2, 'round-robin');
      const [a, b] = gs as [(typeof gs)[number], (typeof gs)[number]];
      const lease = await a.rotator.acquireShared({ provider: 'openai' });
      if (!lease.ok) throw new Error(lease.reason);
      a.rotator.report(lease, { type: 'quota_exhausted' });
      await a.store.flush();
      await b.store.flush();
      for (let i = 0; i < 6; i++) {
        const other = await b.rotator.acquireShared({ provider: 'openai' });
        expect(other.ok && other.id).not.toBe(lease.id);
        expect(other.ok).toBe(true);
      }
    });

    it.runIf(capabilities.sharedProbes)(
      'only one gateway probes a credential whose cooldown ended',
      async () => {
        // A cooldown that ended in real time too (a server may check its own clock).
        const clock = fakeClock(Date.now() - 60_000);
        const gs = await gateways(2, 'round-robin', { clock, creds: 2 });
        const [a, b] = gs as [(typeof gs)[number], (typeof gs)[number]];
        a.store.setCooldown('c1', { until: clock() + 1000, cause: 'rate_limited', at: clock() });
        await a.store.flush();
        await b.store.flush();
        clock.advance(2000);
        const first = await a.rotator.acquireShared({ provider: 'openai' });
        const second = await b.rotator.acquireShared({ provider: 'openai' });
        expect(first).toMatchObject({ ok: true, id: 'c1', probe: true });
        expect(second).toMatchObject({ ok: true, id: 'c2', probe: false });
      },
    );
  });
}
