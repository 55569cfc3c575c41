// Fairness over 10,000 simulated requests from 8 agents across 5 credentials.
import { createMemoryHistoryStore } from '@ctd/history';
import { describe, expect, it } from 'vitest';
import type { Outcome } from './outcome.ts';
import { createRotator, type Strategy } from './rotator.ts';
import { countBy, credentials, fakeClock, simulate } from './testing/sim.ts';

const REQUESTS = 10_000;
const AGENTS = 8;
const IDS = ['c1', 'c2', 'c3', 'c4', 'c5'];
const ok: Outcome = { type: 'success', latencyMs: 100 };

function setup(strategy: Strategy, priorities?: Record<string, number>) {
  const clock = fakeClock();
  const store = createMemoryHistoryStore({ clock });
  const rotator = createRotator({
    store,
    strategy,
    clock,
    instanceId: 'test',
    ...(priorities ? { priorities: { credentials: priorities } } : {}),
  });
  rotator.setCredentials(credentials(5));
  return { clock, store, rotator };
}

describe('fairness: 10,000 requests, 8 agents, 5 credentials', () => {
  it('round-robin spreads them within 1% of even', () => {
    const { clock, rotator } = setup('round-robin');
    const { picks } = simulate({ rotator, clock, agents: AGENTS, requests: REQUESTS, answer: () => ok });
    const counts = countBy(picks, IDS);
    const even = REQUESTS / IDS.length;
    for (const id of IDS) expect(Math.abs((counts[id] as number) - even)).toBeLessThanOrEqual(even * 0.01);
  });

  it('least-used keeps max-min usage at most 1 at every step', () => {
    const { clock, store, rotator } = setup('least-used');
    let worst = 0;
    simulate({
      rotator,
      clock,
      agents: AGENTS,
      requests: REQUESTS,
      answer: () => ok,
      afterAcquire: () => {
        const uses = IDS.map((id) => store.get(id)?.usageCount ?? 0);
        worst = Math.max(worst, Math.max(...uses) - Math.min(...uses));
      },
    });
    expect(worst).toBeLessThanOrEqual(1);
    const uses = IDS.map((id) => store.get(id)?.usageCount ?? 0);
    expect(uses.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
  });

  it('health-based sends a failing credential nothing but probes once it is known to fail', () => {
    const { clock, store, rotator } = setup('health-based');
    let firstFailureAt = Number.POSITIVE_INFINITY;
    const { picks } = simulate({
      rotator,
      clock,
      agents: AGENTS,
      requests: REQUESTS,
      answer: (id, now) => {
        if (id === 'c3') {
          firstFailureAt = Math.min(firstFailureAt, now);
          return { type: 'server_error', httpStatus: 503 };
        }
        return { type: 'success', latencyMs: id === 'c5' ? 400 : 100 };
      },
    });
    const toFailing = picks.filter((p) => p.lease.id === 'c3');
    const afterKnown = toFailing.filter((p) => p.at > firstFailureAt);
    // Before the first failure came back, only the requests already in flight could go there.
    expect(toFailing.length - afterKnown.length).toBeLessThanOrEqual(AGENTS);
    expect(afterKnown.every((p) => p.lease.probe)).toBe(true);
    // Probes are spaced by escalating cooldowns (5 s doubling to 60 s) over about two minutes.
    expect(afterKnown.length).toBeLessThanOrEqual(8);
    expect(store.get('c3')?.consecutiveFailures).toBe(toFailing.length);
    // The slower credential gets less of the traffic than a fast one.
    const counts = countBy(picks, IDS);
    expect(counts.c5).toBeLessThan((counts.c1 as number) * 0.5);
  });

  it('health-based sends a credential with recent failures in its history no more than its probes', () => {
    const { clock, store, rotator } = setup('health-based');
    const t0 = clock();
    for (let i = 0; i < 3; i++) store.recordResult('c2', { ok: false, at: t0 - 1000 });
    const { picks } = simulate({
      rotator,
      clock,
      agents: AGENTS,
      requests: REQUESTS,
      answer: (id) => (id === 'c2' ? { type: 'server_error', httpStatus: 500 } : ok),
    });
    const toFailing = picks.filter((p) => p.lease.id === 'c2');
    expect(toFailing.length).toBeGreaterThan(0);
    expect(toFailing.every((p) => p.lease.probe)).toBe(true);
  });

  it('priority uses a lower priority only when all higher ones are cooling down', () => {
    // c1, c2: priority 2; c3, c4: priority 1; c5: priority 0. Rate-limit windows (in seconds
    // from the start) push traffic down the tiers and back up.
    const { clock, rotator } = setup('priority', { c1: 2, c2: 2, c3: 1, c4: 1, c5: 0 });
    const t0 = clock();
    const windows: Record<string, [number, number][]> = {
      c1: [
        [10, 40],
        [70, 90],
      ],
      c2: [
        [20, 50],
        [75, 95],
      ],
      c3: [[30, 45]],
      c4: [[25, 48]],
    };
    const limited = (id: string, now: number) => {
      const s = (now - t0) / 1000;
      const w = windows[id]?.find(([a, b]) => s >= a && s < b);
      return w ? Math.round((w[1] - s) * 1000) : 0;
    };
    const priority: Record<string, number> = { c1: 2, c2: 2, c3: 1, c4: 1, c5: 0 };
    let usable: Set<string> = new Set();
    const violations: string[] = [];
    const { picks } = simulate({
      rotator,
      clock,
      agents: AGENTS,
      requests: REQUESTS,
      answer: (id, now) => {
        const wait = limited(id, now);
        return wait > 0 ? { type: 'rate_limited', retryAfterMs: wait } : ok;
      },
      beforeAcquire: () => {
        usable = new Set(
          rotator
            .standings('openai')
            .filter((s) => s.state === 'ready' || s.state === 'probe')
            .map((s) => s.id),
        );
      },
      afterAcquire: ({ lease, at }) => {
        const mine = priority[lease.id] as number;
        for (const id of usable) {
          if ((priority[id] as number) > mine)
            violations.push(`${lease.id} at ${at - t0} ms while ${id} was usable`);
        }
      },
    });
    expect(violations).toEqual([]);
    const counts = countBy(picks, IDS);
    // Every tier was used, and the top tier carried most of the traffic.
    for (const id of IDS) expect(counts[id]).toBeGreaterThan(0);
    expect((counts.c1 as number) + (counts.c2 as number)).toBeGreaterThan(REQUESTS * 0.6);
    // After the last window the top tier took all traffic again (promotion back to the primary).
    const tail = picks.filter((p) => p.at - t0 > 100_000);
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.every((p) => p.lease.id === 'c1' || p.lease.id === 'c2')).toBe(true);
  });
});
