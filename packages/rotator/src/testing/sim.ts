// A discrete-event simulation of agents sharing a rotator, on a fake clock (no real waiting).
import type { Outcome } from '../outcome.ts';
import type { Acquisition, Lease, Rotator, RotatorCredential } from '../rotator.ts';

/** A seeded random generator (mulberry32), so that simulations repeat exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A settable clock. */
export function fakeClock(start = Date.parse('2026-05-01T00:00:00.000Z')) {
  let now = start;
  const clock = () => now;
  clock.set = (t: number) => {
    now = t;
  };
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

/** Test credentials `c1…cN` for one provider. */
export function credentials(
  n: number,
  provider = 'openai',
  extra: Partial<RotatorCredential> = {},
): RotatorCredential[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i + 1}`,
    hash: (i + 1).toString(16).padStart(64, '0'),
    source: 'environment',
    provider,
    ...extra,
  }));
}

/** One simulated pick. */
export interface Pick {
  at: number;
  lease: Lease;
  outcome?: Outcome;
}

/** Options of {@link simulate}. */
export interface SimOptions {
  rotator: Rotator;
  clock: ReturnType<typeof fakeClock>;
  agents: number;
  requests: number;
  provider?: string;
  model?: string;
  /** How the provider answers a request made with credential `id` at time `now`. */
  answer: (id: string, now: number) => Outcome;
  /** How long a request takes (ms). @default 50–150 ms */
  duration?: (random: () => number) => number;
  /** Called right before each acquire (to snapshot state for assertions). */
  beforeAcquire?: (now: number) => void;
  /** Called right after each successful acquire. */
  afterAcquire?: (pick: Pick) => void;
  seed?: number;
}

/**
 * Runs `requests` acquires from `agents` concurrent agents: each acquires, holds the lease for a
 * while, reports the provider's answer and starts again. An agent told that everything is cooling
 * down waits until the time it was given.
 */
export function simulate(options: SimOptions): { picks: Pick[]; waits: number } {
  const random = seeded(options.seed ?? 42);
  const duration = options.duration ?? ((r) => 50 + r() * 100);
  const provider = options.provider ?? 'openai';
  type AgentState = { next: number; lease: Lease | null; pick: Pick | null };
  const start = options.clock();
  const agents: AgentState[] = Array.from({ length: options.agents }, (_, i) => ({
    next: start + i,
    lease: null,
    pick: null,
  }));
  const picks: Pick[] = [];
  let waits = 0;
  while (picks.length < options.requests) {
    let agent = agents[0] as AgentState;
    for (const a of agents) if (a.next < agent.next) agent = a;
    options.clock.set(agent.next);
    const now = agent.next;
    if (agent.lease && agent.pick) {
      const outcome = options.answer(agent.lease.id, now);
      agent.pick.outcome = outcome;
      options.rotator.report(agent.lease, outcome);
      agent.lease = null;
      agent.pick = null;
      agent.next = now + 1 + random() * 5;
      continue;
    }
    options.beforeAcquire?.(now);
    const got: Acquisition = options.rotator.acquire({ provider, model: options.model });
    if (!got.ok) {
      waits++;
      if (got.retryAt === null) throw new Error(`nothing usable: ${got.reason}`);
      agent.next = Math.max(got.retryAt, now + 1);
      continue;
    }
    const pick: Pick = { at: now, lease: got };
    picks.push(pick);
    options.afterAcquire?.(pick);
    agent.lease = got;
    agent.pick = pick;
    agent.next = now + duration(random);
  }
  return { picks, waits };
}

/** Counts picks per credential id. */
export function countBy(picks: readonly Pick[], ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  for (const p of picks) out[p.lease.id] = (out[p.lease.id] ?? 0) + 1;
  return out;
}
