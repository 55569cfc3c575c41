// A lease's `reason`, kept as a few numbers and put into words only when read. Building the
// sentence for every decision was a third of what a decision allocated (about 500 of 1,400–2,000
// bytes), and on a machine where a first-touched page costs a fault of 10 µs or more,
// allocation shows up directly in a decision's tail latency (bench/rotator.bench.ts).
import type { AcquireRequest, CandidateCounts, Lease, RotatorCredential, Strategy } from './rotator.ts';

/** Which sentence a pick gets; the numbers `a`–`d` and `cause` fill it in. */
export const Why = {
  /** cause: the cooldown that ended. */
  probeCooldown: 0,
  /** a: consecutive failures. */
  probeFailures: 1,
  /** a: ready credentials. */
  roundRobin: 2,
  /** a: the tier. */
  priority: 3,
  /** a: the pick's uses, b: ready credentials. */
  leastUsed: 4,
  /** a: success %, b: latency ms (−1: none yet), c: share %, d: ready credentials. */
  healthBased: 5,
  /** a: ready credentials. */
  sharedRoundRobin: 6,
  /** a: the tier. */
  sharedPriority: 7,
  /** a: the pick's uses, b: ready credentials. */
  sharedLeastUsed: 8,
} as const;
export type Why = (typeof Why)[keyof typeof Why];

/** `1 use`, `3 uses`. */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function sentence(kind: Why, cause: string | null, a: number, b: number, c: number, d: number): string {
  switch (kind) {
    case Why.probeCooldown:
      return `probe: its ${(cause ?? '').replace('_', ' ')} cooldown ended; one request tests it before full traffic`;
    case Why.probeFailures:
      return `probe: ${plural(a, 'recent failure')}; one request tests it before full traffic`;
    case Why.roundRobin:
      return `round-robin: next in turn among ${plural(a, 'ready credential')}`;
    case Why.priority:
      return `priority ${a}: the highest tier with a ready credential, next in turn`;
    case Why.leastUsed:
      return `least-used: ${plural(a, 'use')}, the fewest among ${plural(b, 'ready credential')}`;
    case Why.healthBased:
      return `health-based: ${a}% success${b < 0 ? '' : `, ${b} ms`}; share ${c}% of ${plural(d, 'ready credential')}`;
    case Why.sharedRoundRobin:
      return `round-robin: next in the turn shared by every gateway, among ${plural(a, 'ready credential')}`;
    case Why.sharedPriority:
      return `priority ${a}: the highest tier with a ready credential, next in the shared turn`;
    case Why.sharedLeastUsed:
      return `least-used: ${plural(a, 'use')} across every gateway, the fewest among ${plural(b, 'ready credential')}`;
  }
}

/** The pick's sentence, then what it passed over: ` (skipped 3 cooling down, 1 inactive)`. */
export function pickReason(
  kind: Why,
  cause: string | null,
  a: number,
  b: number,
  c: number,
  d: number,
  counts: CandidateCounts,
): string {
  const { cooling, inactive } = counts;
  const skipped =
    cooling + inactive > 0
      ? ` (skipped ${[cooling ? `${cooling} cooling down` : '', inactive ? `${inactive} inactive` : ''].filter(Boolean).join(', ')})`
      : '';
  return sentence(kind, cause, a, b, c, d) + skipped;
}

/**
 * A lease as `acquire` hands it out. `reason` is put into words when it is first read, from the
 * numbers kept here, so a decision whose reason nobody reads does not build it.
 */
export class PickedLease<C extends RotatorCredential> implements Lease<C> {
  readonly ok = true;
  readonly id: string;
  readonly credential: C;
  readonly provider: string;
  readonly model: string | undefined;
  readonly strategy: Strategy;
  readonly probe: boolean;
  readonly candidates: CandidateCounts;
  readonly acquiredAt: number;
  readonly #kind: Why;
  readonly #cause: string | null;
  readonly #a: number;
  readonly #b: number;
  readonly #c: number;
  readonly #d: number;
  #reason: string | undefined;

  /** `kind`, `cause` and `a`–`d`: the reason's sentence and its numbers (see {@link Why}). */
  constructor(
    credential: C,
    request: AcquireRequest,
    strategy: Strategy,
    probe: boolean,
    candidates: CandidateCounts,
    acquiredAt: number,
    kind: Why,
    cause: string | null,
    a: number,
    b = 0,
    c = 0,
    d = 0,
  ) {
    this.id = credential.id;
    this.credential = credential;
    this.provider = request.provider;
    this.model = request.model;
    this.strategy = strategy;
    this.probe = probe;
    this.candidates = candidates;
    this.acquiredAt = acquiredAt;
    this.#kind = kind;
    this.#cause = cause;
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
  }

  /** Why this credential was picked, in a sentence. */
  get reason(): string {
    this.#reason ??= pickReason(this.#kind, this.#cause, this.#a, this.#b, this.#c, this.#d, this.candidates);
    return this.#reason;
  }

  /** The lease as a plain object, `reason` included (for `JSON.stringify`, logs and copies). */
  toJSON(): Lease<C> {
    return {
      ok: true,
      id: this.id,
      credential: this.credential,
      provider: this.provider,
      model: this.model,
      strategy: this.strategy,
      probe: this.probe,
      reason: this.reason,
      candidates: this.candidates,
      acquiredAt: this.acquiredAt,
    };
  }

  /** `console.log(lease)` shows the same fields as `toJSON`. */
  [Symbol.for('nodejs.util.inspect.custom')](): Lease<C> {
    return this.toJSON();
  }
}
