// The rotator decides from indexes kept in step with the history (O(log n) per acquire). These
// checks compare every decision with the standings, which are computed by a plain pass over the
// pool, through random runs of acquires, reports, model requests, exclusions, clock jumps and
// changes made to the store behind the rotator's back.
import { createMemoryHistoryStore } from '@ctd/history';
import { describe, expect, it } from 'vitest';
import type { Outcome } from './outcome.ts';
import { createRotator, type Lease, STRATEGIES, type Strategy } from './rotator.ts';
import { credentials, fakeClock, seeded } from './testing/sim.ts';

const OUTCOMES: Outcome[] = [
  { type: 'success', latencyMs: 80 },
  { type: 'success', latencyMs: 300 },
  { type: 'rate_limited', retryAfterMs: 3_000 },
  { type: 'server_error', httpStatus: 503 },
  { type: 'auth_failed', httpStatus: 401 },
  { type: 'client_error', httpStatus: 400 },
];

function run(strategy: Strategy, seed: number, steps: number): void {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const clock = fakeClock();
  const store = createMemoryHistoryStore({ clock });
  const rotator = createRotator({ store, strategy, clock, instanceId: `t${seed}` });
  const n = 2 + Math.floor(random() * 12);
  const creds = credentials(n).map((c, i) => ({ ...c, priority: i % 3 }));
  rotator.setCredentials(creds);
  const ids = creds.map((c) => c.id);
  const open: Lease[] = [];
  for (let step = 0; step < steps; step++) {
    const r = random();
    if (r < 0.1) clock.advance(Math.floor(random() * 20_000));
    else if (r < 0.13) {
      // Behind the rotator's back, as other code or another process's merge would.
      const id = pick(ids);
      const what = random();
      if (what < 0.3) store.setStatus(id, random() < 0.5 ? 'active' : 'expired', null, clock());
      else if (what < 0.6)
        store.setCooldown(id, { until: clock() + 5_000, cause: 'rate_limited', at: clock() });
      else if (what < 0.8) store.setCooldown(id, { until: null, cause: null, at: clock() });
      else store.recordUse(id, clock());
    } else if (r < 0.5 && open.length > 0) {
      const lease = open.splice(Math.floor(random() * open.length), 1)[0] as Lease;
      rotator.report(lease, pick(OUTCOMES));
    } else {
      const model = random() < 0.3 ? pick(['m1', 'm2']) : undefined;
      const exclude = random() < 0.2 ? [pick(ids), pick(ids)] : undefined;
      const standings = rotator.standings('openai', model);
      const usable = standings.filter(
        (s) => !exclude?.includes(s.id) && (s.state === 'ready' || s.state === 'probe'),
      );
      const usesBefore = new Map(usable.map((s) => [s.id, s.entry.usageCount]));
      const got = rotator.acquire({ provider: 'openai', model, exclude });
      const excluded = new Set(exclude ?? []).size;
      expect(got.candidates.excluded).toBe(excluded);
      expect(got.candidates.ready).toBe(usable.length);
      const notExcluded = standings.filter((s) => !exclude?.includes(s.id));
      expect(got.candidates.inactive).toBe(notExcluded.filter((s) => s.state === 'inactive').length);
      expect(got.candidates.cooling).toBe(
        notExcluded.filter((s) => s.state === 'cooling' || s.state === 'probing').length,
      );
      if (!got.ok) {
        expect(usable).toEqual([]);
        if (got.code === 'ALL_COOLING_DOWN') {
          const until = Math.min(
            ...notExcluded.filter((s) => s.until !== null).map((s) => s.until as number),
          );
          expect(got.retryAt).toBe(until);
        }
        continue;
      }
      const chosen = standings.find((s) => s.id === got.id);
      expect(exclude?.includes(got.id) ?? false).toBe(false);
      expect(['ready', 'probe']).toContain(chosen?.state);
      const top = Math.max(...usable.map((s) => s.priority));
      const probes = usable.filter((s) => s.state === 'probe');
      if (strategy === 'priority') {
        expect(chosen?.priority).toBe(top);
        const topProbe = probes.find((s) => s.priority === top);
        if (topProbe) expect(got.id).toBe(topProbe.id);
      } else if (probes.length > 0) {
        expect(got.probe).toBe(true);
        expect(got.id).toBe(probes[0]?.id);
      } else if (strategy === 'least-used') {
        expect(usesBefore.get(got.id)).toBe(Math.min(...usesBefore.values()));
      }
      open.push(got);
    }
  }
}

describe('indexed decisions agree with a plain pass over the pool', () => {
  for (const strategy of STRATEGIES) {
    it(`${strategy}: 40 random runs of 400 steps`, () => {
      for (let seed = 1; seed <= 40; seed++) run(strategy, seed * 7919, 400);
    });
  }

  it('round-robin still takes each ready credential in turn', () => {
    const clock = fakeClock();
    const rotator = createRotator({
      store: createMemoryHistoryStore({ clock }),
      strategy: 'round-robin',
      clock,
      instanceId: 'rr',
    });
    rotator.setCredentials(credentials(7));
    const seen: string[] = [];
    for (let i = 0; i < 14; i++) {
      const l = rotator.acquire({ provider: 'openai' });
      if (!l.ok) throw new Error(l.reason);
      seen.push(l.id);
      rotator.report(l, { type: 'success' });
    }
    expect(new Set(seen.slice(0, 7)).size).toBe(7);
    expect(seen.slice(7)).toEqual(seen.slice(0, 7));
  });
});
