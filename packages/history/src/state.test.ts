import { describe, expect, it } from 'vitest';
import { fromHistoryFile, toHistoryFile } from './codec.ts';
import { HistoryFileSchema } from './schema.ts';
import { HistoryState, mergeBatch } from './state.ts';
import { ref } from './testing/helpers.ts';

const T = Date.parse('2026-05-01T00:00:00.000Z');

/** Two writers that started from the same base; each one's changes merged in turn. */
function twoWriters() {
  const a = new HistoryState();
  const b = new HistoryState();
  a.ensure(ref('x'), T);
  const base = mergeBatch(new Map(), a.takePending());
  a.rebase(base);
  b.rebase(base);
  return { a, b, base };
}

describe('HistoryState merge', () => {
  it('adds counters from two writers without losing any', () => {
    const { a, b, base } = twoWriters();
    for (let i = 0; i < 3; i++) a.recordUse('x', T + i);
    for (let i = 0; i < 5; i++) b.recordUse('x', T + 10 + i);
    a.recordResult('x', { ok: true, at: T + 1 });
    b.recordResult('x', { ok: false, at: T + 11 });
    const merged = mergeBatch(mergeBatch(base, a.takePending()), b.takePending());
    const e = merged.get('x');
    expect(e).toMatchObject({ usageCount: 8, successes: 1, failures: 1, lastUsed: T + 14 });
  });

  it('restarts the failure streak after a success, and adds failures after it', () => {
    const { a, b, base } = twoWriters();
    b.recordResult('x', { ok: false, at: T });
    b.recordResult('x', { ok: false, at: T });
    const afterB = mergeBatch(base, b.takePending());
    expect(afterB.get('x')?.consecutiveFailures).toBe(2);
    a.recordResult('x', { ok: true, at: T + 1 });
    a.recordResult('x', { ok: false, at: T + 2 });
    expect(mergeBatch(afterB, a.takePending()).get('x')?.consecutiveFailures).toBe(1);
  });

  it('gives settings (cooldown, status) to the later writer, whatever the flush order', () => {
    const { a, b, base } = twoWriters();
    a.setCooldown('x', { until: T + 60_000, cause: 'rate_limited', at: T + 5 });
    b.setCooldown('x', { until: null, cause: null, at: T + 9 }); // a later success cleared it
    b.setStatus('x', 'invalid', 'rejected', T + 1);
    a.setStatus('x', 'active', 'checked', T + 2);
    const ab = mergeBatch(mergeBatch(base, a.takePending()), b.takePending());
    const { a: a2, b: b2, base: base2 } = twoWriters();
    a2.setCooldown('x', { until: T + 60_000, cause: 'rate_limited', at: T + 5 });
    b2.setCooldown('x', { until: null, cause: null, at: T + 9 });
    b2.setStatus('x', 'invalid', 'rejected', T + 1);
    a2.setStatus('x', 'active', 'checked', T + 2);
    const ba = mergeBatch(mergeBatch(base2, b2.takePending()), a2.takePending());
    for (const m of [ab, ba]) {
      expect(m.get('x')).toMatchObject({ cooldownUntil: null, cooldownCause: null, status: 'active' });
    }
  });

  it('keeps model cooldowns apart from the credential cooldown', () => {
    const s = new HistoryState();
    s.ensure(ref('x'), T);
    s.setCooldown('x', { until: T + 1000, cause: 'rate_limited', at: T, model: 'gpt-5' });
    expect(s.get('x')?.cooldownUntil).toBeNull();
    expect(s.get('x')?.modelCooldowns['gpt-5']).toEqual({ until: T + 1000, cause: 'rate_limited', setAt: T });
    s.setCooldown('x', { until: null, cause: null, at: T + 1, model: 'gpt-5' });
    expect(s.get('x')?.modelCooldowns).toEqual({});
  });

  it('puts a failed batch back ahead of newer changes', () => {
    const s = new HistoryState();
    s.ensure(ref('x'), T);
    s.recordUse('x', T);
    const batch = s.takePending();
    s.recordUse('x', T + 1);
    s.requeue(batch);
    const merged = mergeBatch(new Map(), s.takePending());
    expect(merged.get('x')?.usageCount).toBe(2);
  });

  it('rebases in place: entries handed out keep showing current values', () => {
    const s = new HistoryState();
    const e = s.ensure(ref('x'), T);
    const base = mergeBatch(new Map(), s.takePending());
    s.rebase(base);
    const other = new Map(base);
    other.set('x', { ...(base.get('x') as NonNullable<ReturnType<typeof base.get>>), usageCount: 41 });
    s.recordUse('x', T);
    s.rebase(other);
    expect(e.usageCount).toBe(42);
    expect(s.get('x')).toBe(e);
  });

  it('keeps each pending delta its own: a batch taken out does not change with later records', () => {
    // Records fill one reused delta; only a copy of it may become a credential's pending delta.
    const s = new HistoryState();
    s.ensure(ref('x'), T);
    s.ensure(ref('y', 2), T);
    s.takePending();
    s.recordUse('x', T + 1);
    s.recordUse('y', T + 2);
    const first = s.takePending();
    const x = first.get('x');
    const y = first.get('y');
    expect(x).not.toBe(y);
    s.recordUse('x', T + 3);
    s.recordResult('y', { ok: false, at: T + 4 });
    expect(x).toMatchObject({ uses: 1, lastUsed: T + 1, failures: 0, ref: { id: 'x' } });
    expect(y).toMatchObject({ uses: 1, lastUsed: T + 2, failures: 0, ref: { id: 'y' } });
    const second = s.takePending();
    expect(second.get('x')).toMatchObject({ uses: 1, lastUsed: T + 3 });
    expect(second.get('y')).toMatchObject({ uses: 0, failures: 1, lastFailureAt: T + 4 });
    // A pending delta's identity is a copy, not the live entry.
    expect(second.get('x')?.ref).not.toBe(s.get('x'));
  });

  it('round-trips through the file form, which validates', () => {
    const s = new HistoryState();
    s.ensure(ref('x'), T);
    s.recordUse('x', T);
    s.recordResult('x', { ok: true, at: T, latencyMs: 120 });
    s.setCooldown('x', { until: T + 5000, cause: 'server_error', at: T, model: 'm' });
    s.setNeeds('x', 'refresh', 'expired', T);
    s.recordValidation('x', { status: 'valid', reason: 'ok', checkedAt: new Date(T).toISOString() });
    const file = toHistoryFile(s.snapshot(), T);
    expect(HistoryFileSchema.safeParse(JSON.parse(JSON.stringify(file))).success).toBe(true);
    expect(fromHistoryFile(file).get('x')).toEqual(s.get('x'));
  });
});

describe('one set of merge rules', () => {
  it('keeps the live view equal to the base merged with the pending deltas, whatever the events', () => {
    const s = new HistoryState();
    s.ensure(ref('x'), T);
    s.ensure(ref('y', 2), T);
    const base = mergeBatch(new Map(), s.takePending());
    s.rebase(base);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const id = rand(2) === 0 ? 'x' : 'y';
      const at = T + rand(100_000);
      switch (rand(7)) {
        case 0:
          s.recordUse(id, at);
          break;
        case 1:
          s.recordResult(id, { ok: rand(3) > 0, at, latencyMs: rand(500) });
          break;
        case 2:
          s.setCooldown(id, {
            until: rand(2) ? at + 60_000 : null,
            cause: 'rate_limited',
            at,
            ...(rand(2) ? { model: `m${rand(3)}` } : {}),
          });
          break;
        case 3:
          s.setStatus(id, rand(2) ? 'active' : 'invalid', 'why', at);
          break;
        case 4:
          s.setNeeds(id, rand(2) ? 'refresh' : null, 'why', at);
          break;
        case 5:
          s.observe({ ...ref(id, 3 + rand(3)) }, { at, expiresAt: rand(2) ? at + 1000 : null });
          break;
        default:
          s.recordValidation(id, { status: 'valid', reason: 'ok', checkedAt: new Date(at).toISOString() });
      }
    }
    const merged = mergeBatch(base, s.takePending());
    // Everything merges exactly, except the latency average: a batch blends its mean in one step,
    // the live entry one sample at a time (both stay within the samples' range).
    for (const id of ['x', 'y']) {
      const { latencyMs: live, ...rest } = s.get(id) as NonNullable<ReturnType<typeof s.get>>;
      const { latencyMs: batched, ...mergedRest } = merged.get(id) as NonNullable<ReturnType<typeof s.get>>;
      expect(rest).toEqual(mergedRest);
      expect(live === null).toBe(batched === null);
      for (const l of [live ?? 0, batched ?? 0]) expect(l >= 0 && l < 500).toBe(true);
    }
  });
});
