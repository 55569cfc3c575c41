// copyHistory: idempotent, never adds counts twice, keeps what a target that moved on has. On the
// memory driver here (the ctd command's test runs it on a file and a real Redis).
import { createMemoryHistoryStore, MemoryDriver } from '@ctd/history';
import { describe, expect, it } from 'vitest';
import { absorbDelta, copyHistory } from './migrate.ts';

function source() {
  const s = createMemoryHistoryStore();
  s.ensure({ id: 'a', hash: '1'.padStart(64, '0'), source: 'environment', provider: 'openai' }, 100);
  for (let i = 0; i < 5; i++) s.recordUse('a', 200 + i);
  s.recordResult('a', { ok: false, at: 300, latencyMs: 80 });
  s.setStatus('a', 'invalid', 'rejected (401)', 400);
  s.setCooldown('a', { until: 9_000, cause: 'auth_failed', at: 400 });
  s.setCooldown('a', { until: 8_000, cause: 'rate_limited', at: 400, model: 'm1' });
  return s;
}

describe('copyHistory', () => {
  it('copies every field once; a second copy changes nothing', async () => {
    const from = source();
    const target = new MemoryDriver();
    await expect(copyHistory(from.list(), target)).resolves.toEqual({ copied: 1, unchanged: 0 });
    await expect(copyHistory(from.list(), target)).resolves.toEqual({ copied: 0, unchanged: 1 });
    const copied = (await target.read())?.get('a');
    expect(copied).toEqual({ ...from.get('a') });
  });

  it('never lowers or doubles what a target that moved on holds', async () => {
    const from = source();
    const target = new MemoryDriver();
    await copyHistory(from.list(), target);
    // Gateways kept using the target: 3 more uses, a success that cleared the streak.
    const later = (await target.read())?.get('a');
    if (!later) throw new Error('missing');
    later.usageCount += 3;
    later.consecutiveFailures = 0;
    later.lastSuccessAt = 500;
    await copyHistory(from.list(), target);
    expect((await target.read())?.get('a')).toMatchObject({
      usageCount: 8,
      failures: 1,
      consecutiveFailures: 0,
    });
  });

  it('absorbDelta is null when the target already holds the source', () => {
    const e = source().get('a');
    if (!e) throw new Error('missing');
    expect(absorbDelta({ ...e }, e)).toBeNull();
    expect(absorbDelta(undefined, e)).toMatchObject({
      uses: 5,
      failures: 1,
      streakReset: true,
      streakAdd: 1,
    });
  });
});
