import { inspect } from 'node:util';
import { createMemoryHistoryStore } from '@ctd/history';
import { describe, expect, it } from 'vitest';
import {
  createRotator,
  DEFAULT_COOLDOWNS,
  type Lease,
  type RotatorOptions,
  type Strategy,
} from './rotator.ts';
import { credentials, fakeClock } from './testing/sim.ts';

function setup(strategy: Strategy = 'round-robin', n = 3, options: Partial<RotatorOptions> = {}) {
  const clock = fakeClock();
  const store = createMemoryHistoryStore({ clock });
  const rotator = createRotator({ store, strategy, clock, instanceId: 'test', ...options });
  rotator.setCredentials(credentials(n));
  const lease = (model?: string): Lease => {
    const got = rotator.acquire({ provider: 'openai', model });
    if (!got.ok) throw new Error(got.reason);
    return got;
  };
  return { clock, store, rotator, lease };
}

/** Acquires until `id` is handed out (reporting success for the others). */
function leaseOf(s: ReturnType<typeof setup>, id: string, model?: string): Lease {
  for (let i = 0; i < 20; i++) {
    const l = s.lease(model);
    if (l.id === id) return l;
    s.rotator.report(l, { type: 'success' });
  }
  throw new Error(`${id} never handed out`);
}

describe('Rotator', () => {
  it('explains its choice and counts the use', () => {
    const s = setup('least-used');
    const l = s.lease();
    expect(l).toMatchObject({
      ok: true,
      id: expect.stringMatching(/^c\d$/),
      strategy: 'least-used',
      probe: false,
    });
    expect(l.reason).toBe('least-used: 0 uses, the fewest among 3 ready credentials');
    expect(s.store.get(l.id)?.usageCount).toBe(1);
    expect(s.store.get(l.id)?.lastUsed).toBe(s.clock());
  });

  it('keeps the reason of a pick as it was, and shows it in JSON and in logs', () => {
    const s = setup('least-used');
    const l = s.lease();
    // Words are built when read, from the numbers of the decision: later picks do not change them.
    s.rotator.report(s.lease(), { type: 'success' });
    s.rotator.report(s.lease(), { type: 'server_error', httpStatus: 503 });
    const said = 'least-used: 0 uses, the fewest among 3 ready credentials';
    expect(l.reason).toBe(said);
    const json = JSON.parse(JSON.stringify(l)) as Record<string, unknown>;
    expect(json).toMatchObject({ ok: true, id: l.id, strategy: 'least-used', reason: said });
    expect(json.candidates).toEqual({ ready: 3, cooling: 0, inactive: 0, excluded: 0 });
    expect(inspect(l)).toContain(said);
  });

  it('says when there are no credentials for a provider', () => {
    const s = setup();
    expect(s.rotator.acquire({ provider: 'anthropic' })).toMatchObject({
      ok: false,
      code: 'NO_CREDENTIALS',
      retryAt: null,
    });
  });

  it('honours Retry-After on a 429, and the credential comes back by itself when it ends', () => {
    const s = setup('round-robin', 1);
    const l = s.lease();
    const r = s.rotator.report(l, { type: 'rate_limited', retryAfterMs: 42_000 });
    expect(r).toEqual({
      cooldownUntil: s.clock() + 42_000,
      cooldownCause: 'rate_limited',
      scope: 'credential',
      needs: null,
    });
    const blocked = s.rotator.acquire({ provider: 'openai' });
    expect(blocked).toMatchObject({
      ok: false,
      code: 'ALL_COOLING_DOWN',
      retryAt: s.clock() + 42_000,
      retryAfterMs: 42_000,
    });
    s.clock.advance(41_999);
    expect(s.rotator.acquire({ provider: 'openai' }).ok).toBe(false);
    s.clock.advance(1);
    expect(s.rotator.acquire({ provider: 'openai' })).toMatchObject({ ok: true, id: 'c1', probe: true });
  });

  it('caps a provider reset hint', () => {
    const s = setup('round-robin', 1);
    const r = s.rotator.report(s.lease(), { type: 'rate_limited', resetAt: s.clock() + 30 * 86_400_000 });
    expect(r.cooldownUntil).toBe(s.clock() + DEFAULT_COOLDOWNS.rateLimitHintCapMs);
    const q = setup('round-robin', 1);
    const r2 = q.rotator.report(q.lease(), { type: 'quota_exhausted', resetAt: q.clock() + 7 * 86_400_000 });
    expect(r2.cooldownUntil).toBe(q.clock() + DEFAULT_COOLDOWNS.quotaHintCapMs);
  });

  it('escalates cooldowns without a hint: 429 from 30 s, 5xx from 5 s, both capped', () => {
    const s = setup('round-robin', 1);
    const got: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = s.rotator.report(s.lease(), { type: 'server_error', httpStatus: 503 });
      got.push((r.cooldownUntil as number) - s.clock());
      s.clock.advance(got[got.length - 1] as number);
    }
    expect(got).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    const t = setup('round-robin', 1);
    const rl: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = t.rotator.report(t.lease(), { type: 'rate_limited' });
      rl.push((r.cooldownUntil as number) - t.clock());
      t.clock.advance(rl[rl.length - 1] as number);
    }
    expect(rl).toEqual([30_000, 60_000, 120_000, 240_000, 300_000]);
  });

  it('lets exactly one probe through after a cooldown, then full traffic after it succeeds', () => {
    const s = setup('round-robin', 2);
    const c1 = leaseOf(s, 'c1');
    s.rotator.report(c1, { type: 'server_error' });
    s.clock.advance(5_000);
    const probe = s.lease();
    expect(probe).toMatchObject({ id: 'c1', probe: true });
    // While the probe is in flight, c1 gets nothing else.
    for (let i = 0; i < 5; i++) expect(s.lease().id).toBe('c2');
    s.rotator.report(probe, { type: 'success', latencyMs: 90 });
    expect(s.store.get('c1')).toMatchObject({ cooldownUntil: null, consecutiveFailures: 0 });
    const ids = [s.lease().id, s.lease().id, s.lease().id, s.lease().id];
    expect(ids.filter((id) => id === 'c1')).toHaveLength(2);
    expect(s.lease().probe).toBe(false);
  });

  it('cools down again when the probe fails, and frees a probe that is never reported', () => {
    const s = setup('round-robin', 1);
    s.rotator.report(s.lease(), { type: 'server_error' });
    s.clock.advance(5_000);
    const probe = s.lease();
    expect(probe.probe).toBe(true);
    const r = s.rotator.report(probe, { type: 'server_error' });
    expect(r.cooldownUntil).toBe(s.clock() + 10_000);
    s.clock.advance(10_000);
    const lost = s.lease();
    expect(lost.probe).toBe(true);
    const waiting = s.rotator.acquire({ provider: 'openai' });
    expect(waiting).toMatchObject({
      ok: false,
      code: 'ALL_COOLING_DOWN',
      retryAt: s.clock() + DEFAULT_COOLDOWNS.probeTimeoutMs,
    });
    s.clock.advance(DEFAULT_COOLDOWNS.probeTimeoutMs);
    expect(s.lease()).toMatchObject({ id: 'c1', probe: true });
  });

  it('a success clears the cooldown and the failure streak', () => {
    const s = setup('round-robin', 1);
    s.store.setCooldown('c1', { until: s.clock() - 1, cause: 'rate_limited', at: s.clock() - 10 });
    s.store.recordResult('c1', { ok: false, at: s.clock() - 10 });
    const l = s.lease();
    s.rotator.report(l, { type: 'success' });
    expect(s.store.get('c1')).toMatchObject({
      cooldownUntil: null,
      cooldownCause: null,
      consecutiveFailures: 0,
    });
  });

  it('marks an auth failure for a refresh (OAuth) or a re-validation (key), with a cooldown', () => {
    const clock = fakeClock();
    const store = createMemoryHistoryStore({ clock });
    const rotator = createRotator({ store, clock });
    rotator.setCredentials([
      ...credentials(1, 'openai', { hasRefreshToken: true }),
      ...credentials(1, 'anthropic').map((c) => ({ ...c, id: 'k1' })),
    ]);
    const o = rotator.acquire({ provider: 'openai' });
    const k = rotator.acquire({ provider: 'anthropic' });
    if (!o.ok || !k.ok) throw new Error('no lease');
    expect(rotator.report(o, { type: 'auth_failed', httpStatus: 401 })).toMatchObject({ needs: 'refresh' });
    expect(rotator.report(k, { type: 'auth_failed', httpStatus: 403, reason: 'permission_error' })).toEqual({
      cooldownUntil: clock() + DEFAULT_COOLDOWNS.authFailureMs,
      cooldownCause: 'auth_failed',
      scope: 'credential',
      needs: 'revalidation',
    });
    expect(store.get('k1')).toMatchObject({
      needs: 'revalidation',
      needsReason: 'rejected by the provider (403 permission_error)',
    });
    // A successful probe later proves it works again.
    clock.advance(DEFAULT_COOLDOWNS.authFailureMs);
    const again = rotator.acquire({ provider: 'anthropic' });
    if (!again.ok) throw new Error('no lease');
    expect(again.probe).toBe(true);
    rotator.report(again, { type: 'success' });
    expect(store.get('k1')).toMatchObject({ needs: null, cooldownUntil: null });
  });

  it('cools down only the model on a 429 for a model request', () => {
    const s = setup('round-robin', 1);
    const l = s.lease('gpt-5');
    expect(s.rotator.report(l, { type: 'rate_limited', retryAfterMs: 10_000 })).toMatchObject({
      scope: 'model',
    });
    expect(s.rotator.acquire({ provider: 'openai', model: 'gpt-5' })).toMatchObject({
      ok: false,
      code: 'ALL_COOLING_DOWN',
    });
    expect(s.rotator.acquire({ provider: 'openai', model: 'gpt-5-mini' })).toMatchObject({
      ok: true,
      probe: false,
    });
    expect(s.rotator.acquire({ provider: 'openai' })).toMatchObject({ ok: true });
    const q = setup('round-robin', 1);
    expect(q.rotator.report(q.lease('gpt-5'), { type: 'quota_exhausted' })).toMatchObject({
      scope: 'credential',
    });
    expect(q.rotator.acquire({ provider: 'openai', model: 'gpt-5-mini' }).ok).toBe(false);
  });

  it('never locks everything out while one credential is eligible', () => {
    const s = setup('round-robin', 3);
    for (const id of ['c1', 'c2'])
      s.store.setCooldown(id, { until: s.clock() + 60_000, cause: 'rate_limited', at: s.clock() });
    for (let i = 0; i < 5; i++) {
      const l = s.lease();
      expect(l.id).toBe('c3');
      expect(l.reason).toContain('skipped 2 cooling down');
      s.rotator.report(l, { type: 'success' });
    }
  });

  it('reports the earliest free time when every credential is cooling down', () => {
    const s = setup('least-used', 3);
    const t = s.clock();
    s.store.setCooldown('c1', { until: t + 90_000, cause: 'rate_limited', at: t });
    s.store.setCooldown('c2', { until: t + 20_000, cause: 'server_error', at: t });
    s.store.setCooldown('c3', { until: t + 60_000, cause: 'quota_exhausted', at: t });
    const got = s.rotator.acquire({ provider: 'openai' });
    expect(got).toMatchObject({
      ok: false,
      code: 'ALL_COOLING_DOWN',
      retryAt: t + 20_000,
      retryAfterMs: 20_000,
      candidates: { ready: 0, cooling: 3, inactive: 0, excluded: 0 },
    });
    expect(got.ok ? '' : got.reason).toContain(new Date(t + 20_000).toISOString());
  });

  it('skips expired, invalid and revoked credentials, and says so when nothing is left', () => {
    const s = setup('round-robin', 3);
    s.store.setStatus('c1', 'invalid', 'rejected', s.clock());
    s.store.setStatus('c2', 'revoked', 'revoked', s.clock());
    expect(s.lease().id).toBe('c3');
    s.store.setStatus('c3', 'expired', 'expired', s.clock());
    expect(s.rotator.acquire({ provider: 'openai' })).toMatchObject({
      ok: false,
      code: 'NONE_ACTIVE',
      retryAt: null,
    });
  });

  it('skips excluded credentials (e.g. the one that just failed)', () => {
    const s = setup('round-robin', 3);
    for (let i = 0; i < 6; i++) {
      const got = s.rotator.acquire({ provider: 'openai', exclude: ['c1', 'c2'] });
      expect(got).toMatchObject({ ok: true, id: 'c3' });
    }
  });

  it('ignores a second report of the same lease, and client errors', () => {
    const s = setup('round-robin', 1);
    const l = s.lease();
    s.rotator.report(l, { type: 'client_error', httpStatus: 400 });
    expect(s.store.get('c1')).toMatchObject({ successes: 0, failures: 0, cooldownUntil: null });
    s.rotator.report(l, { type: 'server_error' });
    expect(s.store.get('c1')?.failures).toBe(0);
  });

  it('takes priorities from the source, overridden per credential', () => {
    const clock = fakeClock();
    const store = createMemoryHistoryStore({ clock });
    const rotator = createRotator({
      store,
      clock,
      strategy: 'priority',
      priorities: { sources: { 'codex-cli': 5, environment: 1 }, credentials: { e2: 9 } },
    });
    rotator.setCredentials([
      { id: 'e1', hash: '1'.padStart(64, '0'), source: 'environment', provider: 'openai' },
      { id: 'e2', hash: '2'.padStart(64, '0'), source: 'environment', provider: 'openai' },
      { id: 'x1', hash: '3'.padStart(64, '0'), source: 'codex-cli', provider: 'openai' },
    ]);
    expect(rotator.standings('openai').map((s) => [s.id, s.priority])).toEqual([
      ['e1', 1],
      ['e2', 9],
      ['x1', 5],
    ]);
    const got = rotator.acquire({ provider: 'openai' });
    expect(got).toMatchObject({ ok: true, id: 'e2' });
    expect(got.ok && got.reason).toBe('priority 9: the highest tier with a ready credential, next in turn');
  });

  it('re-creates entries another process cleared', async () => {
    const s = setup('round-robin', 2);
    await s.store.clear();
    const l = s.lease();
    s.rotator.report(l, { type: 'success' });
    expect(s.store.get(l.id)?.usageCount).toBe(1);
    expect(s.store.get(l.id)?.successes).toBe(1);
  });

  it('hands back the very credential objects it was given, typed as given', () => {
    type WithSecret = ReturnType<typeof credentials>[number] & { secret: { reveal(): string } };
    const creds: WithSecret[] = credentials(2).map((c) => ({
      ...c,
      secret: { reveal: () => `secret-of-${c.id}` },
    }));
    const rotator = createRotator<WithSecret>({ store: createMemoryHistoryStore() });
    rotator.setCredentials(creds);
    const lease = rotator.acquire({ provider: 'openai' });
    if (!lease.ok) throw new Error(lease.reason);
    expect(creds).toContain(lease.credential);
    expect(lease.credential.secret.reveal()).toBe(`secret-of-${lease.id}`);
  });

  it('rejects an unknown strategy', () => {
    expect(() => setup('random' as Strategy)).toThrow(expect.objectContaining({ code: 'BAD_USAGE' }));
  });
});
