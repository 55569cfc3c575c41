import { sha256Hex } from '@ctd/core/node';
import { createHistoryStore, createMemoryHistoryStore, MemoryDriver } from '@ctd/history';
import type { Strategy } from '@ctd/rotator';
import { describe, expect, it } from 'vitest';
import { RotationEngine } from './engine.ts';
import type { AuthStoreView, HostSeams, PinSource } from './host-seams.ts';

/**
 * A host that behaves like OpenClaw 2026.9.6 where rotation looks: an auth store with usage stats,
 * the order rule (stored order, cooling profiles last, the preferred one first), session pins.
 */
class FakeHost implements HostSeams {
  store: AuthStoreView = { profiles: {}, usageStats: {} };
  pins = new Map<string, { profileId: string; source: PinSource }>();
  orderWrites = 0;
  pinWrites = 0;
  now = 1_000_000;

  add(profileId: string, key: string): void {
    this.store.profiles[profileId] = { type: 'api_key', provider: 'openai', key };
  }
  authStore(): AuthStoreView {
    return this.store;
  }
  resolveOrder(store: AuthStoreView, provider: string, preferred?: string): string[] {
    const all = Object.keys(store.profiles).filter((id) => store.profiles[id]?.provider === provider);
    const base = store.order?.[provider]?.filter((id) => all.includes(id)) ?? all.sort();
    const cooling = (id: string) => (store.usageStats?.[id]?.cooldownUntil ?? 0) > this.now;
    const ordered = [...base.filter((id) => !cooling(id)), ...base.filter(cooling)];
    return preferred && ordered.includes(preferred)
      ? [preferred, ...ordered.filter((id) => id !== preferred)]
      : ordered;
  }
  sessionPin(sessionKey: string) {
    return this.pins.get(sessionKey);
  }
  async setAutoPin(sessionKey: string, profileId: string) {
    this.pinWrites++;
    const pin = this.pins.get(sessionKey);
    if (pin && pin.source !== 'auto') return 'user-pin' as const;
    this.pins.set(sessionKey, { profileId, source: 'auto' });
    return 'set' as const;
  }
  async writeOrder(provider: string, ids: readonly string[]) {
    this.store.order = { ...this.store.order, [provider]: [...ids] };
    this.orderWrites++;
    return true;
  }
  /** What OpenClaw does at a turn: a new session takes the first usable profile of the order. */
  startTurn(sessionKey: string): string {
    const order = this.resolveOrder(this.store, 'openai');
    const pin = this.pins.get(sessionKey);
    const usable = (id: string) => (this.store.usageStats?.[id]?.cooldownUntil ?? 0) <= this.now;
    if (pin && usable(pin.profileId)) return pin.profileId;
    const next = order.find(usable) as string;
    this.pins.set(sessionKey, { profileId: next, source: pin?.source === 'user' ? 'user' : 'auto' });
    return next;
  }
}

function setUp(strategy: Strategy, keys = ['a', 'b', 'c', 'd'], priorityOrder?: readonly string[]) {
  const host = new FakeHost();
  for (const k of keys) host.add(`openai:ctd-manual-key-${k}`, `sk-test-${k}`);
  host.add('openai:mine', 'sk-test-not-imported');
  const history = createMemoryHistoryStore({ clock: () => host.now });
  // The imported keys are known to the history (the plugin's import recorded them).
  for (const k of keys)
    history.ensure({
      id: `codex-cli:openai:key-${k}`,
      hash: sha256Hex(`sk-test-${k}`),
      source: 'codex-cli',
      provider: 'openai',
    });
  let s = strategy;
  const engine = new RotationEngine({
    seams: host,
    history,
    strategy: () => s,
    clock: () => host.now,
    priorityOrder: () => priorityOrder,
  });
  return { host, history, engine, setStrategy: (x: Strategy) => (s = x) };
}

/**
 * Two gateways sharing one history (two stores over one driver, as two processes share a file or
 * Redis), each with its own OpenClaw (auth store, cooldowns, pins) and its own engine. Profiles
 * `openai:ctd-manual-key-a` and `…-b`; a store sees the other's changes when it flushes.
 */
async function setUpShared() {
  const driver = new MemoryDriver();
  const gateways = [];
  for (let g = 0; g < 2; g++) {
    const host = new FakeHost();
    for (const k of ['a', 'b']) host.add(`openai:ctd-manual-key-${k}`, `sk-test-${k}`);
    const history = await createHistoryStore(driver, { clock: () => host.now, flushOnExit: false });
    for (const k of ['a', 'b'])
      history.ensure({
        id: `codex-cli:openai:key-${k}`,
        hash: sha256Hex(`sk-test-${k}`),
        source: 'codex-cli',
        provider: 'openai',
      });
    await history.flush();
    const engine = new RotationEngine({
      seams: host,
      history,
      strategy: () => 'round-robin',
      clock: () => host.now,
    });
    gateways.push({ host, history, engine });
  }
  const [g1, g2] = gateways as [(typeof gateways)[number], (typeof gateways)[number]];
  /** Both stores write their changes and read the other's. */
  const exchange = async () => {
    await g1.history.flush();
    await g2.history.flush();
    await g1.history.flush();
  };
  /** Gateway 1's OpenClaw cools a profile down (a 401), and its engine mirrors it at a decision. */
  const coolOnG1 = (profileId: string, ms = 30_000) => {
    (g1.host.store.usageStats as Record<string, object>)[profileId] = {
      cooldownUntil: g1.host.now + ms,
      cooldownReason: 'auth',
      failureCounts: { auth: 1 },
    };
    g1.engine.decide('openai', 'session');
  };
  return { g1, g2, exchange, coolOnG1 };
}

let callSeq = 0;
/** One turn: OpenClaw picks, the hooks fire, the engine pins the next turn. */
async function turn(
  t: ReturnType<typeof setUp>,
  sessionKey: string,
  outcome: 'completed' | 'error' = 'completed',
): Promise<string> {
  const used = t.host.startTurn(sessionKey);
  const runId = `run-${++callSeq}`;
  const callId = `call-${callSeq}`;
  t.engine.callStarted({ runId, callId, sessionKey, provider: 'openai' });
  if (t.engine.headDue('openai')) await t.engine.setHead('openai');
  const ended = t.engine.callEnded({ callId, outcome, durationMs: 100 });
  if (ended?.ok) await t.engine.pinNextTurn(sessionKey, 'openai');
  t.host.now += 1000;
  return used;
}

describe('RotationEngine', () => {
  it('records each call against the profile that served it, imported or not, and keeps no key', async () => {
    const t = setUp('round-robin');
    await t.engine.setHead('openai');
    for (let i = 0; i < 10; i++) await turn(t, 's1');
    const counts = Object.fromEntries(t.history.list().map((e) => [e.id, e.usageCount]));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(10);
    expect(Object.keys(counts)).toContain('openclaw:openai:mine');
    // Round-robin over the five profiles of the pool. One pick is never used: the head of the order
    // decided for the next new session, which never came.
    const values = Object.values(counts);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(2);
    expect(JSON.stringify(t.history.exportJson())).not.toContain('sk-test-');
  });

  it('attributes a retry inside a run to the next usable profile (OpenClaw rotating after a failure)', () => {
    const t = setUp('priority');
    t.host.store.order = { openai: Object.keys(t.host.store.profiles) };
    t.host.pins.set('s', { profileId: 'openai:ctd-manual-key-a', source: 'auto' });
    t.engine.callStarted({ runId: 'r', callId: 'c1', sessionKey: 's', provider: 'openai' });
    t.engine.callEnded({ callId: 'c1', outcome: 'error' });
    // OpenClaw cools the failed profile down, then tries the next one.
    (t.host.store.usageStats as Record<string, object>)['openai:ctd-manual-key-a'] = {
      cooldownUntil: t.host.now + 30_000,
      cooldownReason: 'rate_limit',
      failureCounts: { rate_limit: 1 },
    };
    t.engine.callStarted({ runId: 'r', callId: 'c2', sessionKey: 's', provider: 'openai' });
    t.engine.callEnded({ callId: 'c2', outcome: 'completed' });
    const e = (id: string) => t.history.get(id);
    expect(e('codex-cli:openai:key-a')).toMatchObject({ usageCount: 1, failures: 1 });
    expect(e('codex-cli:openai:key-b')).toMatchObject({ usageCount: 1, successes: 1 });
    expect(t.engine.tally('openai:ctd-manual-key-a').requestsInCooldown).toBe(0);
  });

  it("attributes a run's first call by the cooldowns of when OpenClaw prepared the run, not of when the call starts", () => {
    const t = setUp('priority');
    const A = 'openai:ctd-manual-key-a';
    t.host.store.order = { openai: Object.keys(t.host.store.profiles) };
    t.host.pins.set('pinned', { profileId: A, source: 'auto' });
    // Three runs are prepared while A is usable: OpenClaw freezes A first for all of them (pinned
    // sessions, and a new one, which starts on the head of the order).
    t.engine.runPrepared({ runId: 'r0' });
    t.engine.runPrepared({ runId: 'r1' });
    t.engine.runPrepared({ runId: 'r2' });
    // r0's request gets a 429; OpenClaw then cools A down, before r1 and r2 make their first calls.
    t.engine.callStarted({ runId: 'r0', callId: 'c0', sessionKey: 'other', provider: 'openai' });
    t.engine.callEnded({ callId: 'c0', outcome: 'error' });
    (t.host.store.usageStats as Record<string, object>)[A] = {
      cooldownUntil: t.host.now + 30_000,
      cooldownReason: 'rate_limit',
      failureCounts: { rate_limit: 1 },
    };
    t.engine.callStarted({ runId: 'r1', callId: 'c1', sessionKey: 'pinned', provider: 'openai' });
    t.engine.callStarted({ runId: 'r2', callId: 'c2', sessionKey: 'fresh', provider: 'openai' });
    // A run prepared after the cooldown began starts on the next profile.
    t.engine.runPrepared({ runId: 'r3' });
    t.engine.callStarted({ runId: 'r3', callId: 'c3', sessionKey: 'fresh-2', provider: 'openai' });
    const uses = (k: string) => t.history.get(`codex-cli:openai:key-${k}`)?.usageCount;
    expect([uses('a'), uses('b')]).toEqual([3, 1]);
    // OpenClaw chose A for r1 and r2 before its cooldown: not requests sent into a cooldown.
    expect(t.engine.tally(A).requestsInCooldown).toBe(0);
  });

  it("reads OpenClaw's store for a prepared run only where a cooldown may have begun since the last read", () => {
    const t = setUp('round-robin');
    let reads = 0;
    const read = t.host.authStore.bind(t.host);
    t.host.authStore = () => {
      reads++;
      return read();
    };
    t.engine.runPrepared({ runId: 'r1' });
    t.engine.runPrepared({ runId: 'r2' });
    expect(reads).toBe(1);
    // A failed call: OpenClaw may be writing a cooldown, so the next runs read again...
    t.engine.callStarted({ runId: 'r1', callId: 'c1', sessionKey: 's1', provider: 'openai' });
    t.engine.callEnded({ callId: 'c1', outcome: 'error' });
    reads = 0;
    t.engine.runPrepared({ runId: 'r3' });
    t.engine.runPrepared({ runId: 'r4' });
    expect(reads).toBe(2);
    // ...until things have settled; and at least every second (another process's write).
    t.host.now += 5000;
    reads = 0;
    t.engine.runPrepared({ runId: 'r5' });
    t.engine.runPrepared({ runId: 'r6' });
    expect(reads).toBe(1);
    t.host.now += 1500;
    t.engine.runPrepared({ runId: 'r7' });
    expect(reads).toBe(2);
  });

  it('never picks a profile OpenClaw is cooling down, and mirrors the cooldown into the history', async () => {
    const t = setUp('round-robin', ['a', 'b']);
    delete t.host.store.profiles['openai:mine'];
    (t.host.store.usageStats as Record<string, object>)['openai:ctd-manual-key-a'] = {
      cooldownUntil: t.host.now + 60_000,
      cooldownReason: 'rate_limit',
    };
    for (let i = 0; i < 5; i++) {
      const pick = t.engine.decide('openai', 'session');
      expect(pick?.member.profileId).toBe('openai:ctd-manual-key-b');
    }
    expect(t.history.get('codex-cli:openai:key-a')?.cooldownCause).toBe('rate_limited');
    t.host.now += 61_000;
    // After the cooldown: one probe of A first.
    expect(t.engine.decide('openai', 'session')?.member.profileId).toBe('openai:ctd-manual-key-a');
    expect(t.engine.lastPick('openai')?.reason).toMatch(/probe/);
  });

  it('writes a session pin only when the pick moves it (a patch costs OpenClaw a transaction)', async () => {
    const order = ['a', 'b', 'c', 'd'].map((k) => `openai:ctd-manual-key-${k}`);
    const t = setUp('priority', undefined, order);
    t.host.store.order = { openai: order };
    for (let i = 0; i < 5; i++) expect(await turn(t, 's1')).toBe('openai:ctd-manual-key-a');
    expect(t.host.pinWrites).toBe(0);
    // Round-robin moves the pin at (almost) every turn: one write for each move.
    const r = setUp('round-robin');
    const used: string[] = [];
    for (let i = 0; i < 6; i++) used.push(await turn(r, 's1'));
    used.push(r.host.startTurn('s1'));
    const moves = used.filter((p, i) => i > 0 && p !== used[i - 1]).length;
    expect(moves).toBeGreaterThanOrEqual(4);
    expect(r.host.pinWrites).toBe(moves);
  });

  it("never touches a user's pin (and spends no decision on it)", async () => {
    const t = setUp('round-robin');
    t.host.pins.set('mine', { profileId: 'openai:ctd-manual-key-c', source: 'user' });
    for (let i = 0; i < 4; i++) expect(await turn(t, 'mine')).toBe('openai:ctd-manual-key-c');
    expect(t.host.pins.get('mine')).toEqual({ profileId: 'openai:ctd-manual-key-c', source: 'user' });
    expect(t.history.get('codex-cli:openai:key-c')?.usageCount).toBe(4);
  });

  it('least-used spreads simultaneous decisions (picks not yet used count as uses)', async () => {
    const t = setUp('least-used');
    for (let i = 0; i < 3; i++) t.history.recordUse('codex-cli:openai:key-a', t.host.now);
    const picks = [];
    for (let s = 0; s < 4; s++) {
      t.host.pins.set(`s${s}`, { profileId: 'openai:ctd-manual-key-a', source: 'auto' });
      await t.engine.pinNextTurn(`s${s}`, 'openai');
      picks.push(t.host.pins.get(`s${s}`)?.profileId);
    }
    expect(new Set(picks).size).toBe(4);
    expect(picks).not.toContain('openai:ctd-manual-key-a');
  });

  it('puts the pick first in the stored order for new sessions, and moves it once used', async () => {
    const t = setUp('round-robin');
    await t.engine.setHead('openai');
    const heads = new Set<string>();
    for (let s = 0; s < 5; s++) {
      const head = t.host.store.order?.openai?.[0] as string;
      heads.add(head);
      expect(await turn(t, `new-${s}`)).toBe(head);
      expect(t.host.store.order?.openai?.[0]).not.toBe(head);
    }
    expect(heads.size).toBeGreaterThan(1);
  });

  it('a decision costs no history write and no order write when nothing changed', () => {
    const t = setUp('least-used');
    t.engine.decide('openai', 'session'); // creates the history entry of the profile not imported
    const before = t.history.pendingEvents;
    for (let i = 0; i < 100; i++) t.engine.decide('openai', 'session');
    expect(t.history.pendingEvents).toBe(before);
    expect(t.host.orderWrites).toBe(0);
  });

  it('keeps a cooldown another gateway wrote into the shared history; clears only the one it mirrored', async () => {
    const { g1, g2, exchange, coolOnG1 } = await setUpShared();
    const a = 'openai:ctd-manual-key-a';
    const until = g1.host.now + 30_000;
    coolOnG1(a);
    await exchange();
    expect(g2.history.get('codex-cli:openai:key-a')?.cooldownUntil).toBe(until);
    // Gateway 2's OpenClaw never saw A fail: its decisions skip A and leave the cooldown alone.
    for (let i = 0; i < 4; i++) {
      expect(g2.engine.decide('openai', 'session')?.member.profileId).toBe('openai:ctd-manual-key-b');
      g2.host.now += 1000;
      g1.host.now += 1000;
    }
    await exchange();
    expect(g1.history.get('codex-cli:openai:key-a')?.cooldownUntil).toBe(until);
    expect(g2.history.get('codex-cli:openai:key-a')?.cooldownCause).toBe('auth_failed');
    // Gateway 1's OpenClaw ends its cooldown early (a success): the cooldown it mirrored is cleared.
    delete (g1.host.store.usageStats as Record<string, object>)[a];
    g1.engine.decide('openai', 'session');
    await exchange();
    expect(g2.history.get('codex-cli:openai:key-a')?.cooldownUntil).toBeNull();
  });

  it('does not shorten a longer cooldown another gateway wrote with a shorter one of its own', async () => {
    const { g1, g2, exchange, coolOnG1 } = await setUpShared();
    const a = 'openai:ctd-manual-key-a';
    coolOnG1(a, 300_000);
    await exchange();
    (g2.host.store.usageStats as Record<string, object>)[a] = {
      cooldownUntil: g2.host.now + 30_000,
      cooldownReason: 'rate_limit',
    };
    g2.engine.decide('openai', 'session');
    // Its own cooldown ends; the other gateway's longer one stays.
    delete (g2.host.store.usageStats as Record<string, object>)[a];
    g2.engine.decide('openai', 'session');
    await exchange();
    expect(g1.history.get('codex-cli:openai:key-a')?.cooldownUntil).toBe(g1.host.now + 300_000);
  });

  it('decides again the head and the session pins a cooldown from the shared history overtook', async () => {
    const { g2, exchange, coolOnG1 } = await setUpShared();
    await g2.engine.setHead('openai');
    const head = g2.host.store.order?.openai?.[0] as string;
    const other = head === 'openai:ctd-manual-key-a' ? 'openai:ctd-manual-key-b' : 'openai:ctd-manual-key-a';
    // A session whose next turn is pinned on the head too (round-robin alternates: a few decisions).
    for (let i = 0; i < 4 && g2.host.pins.get('s')?.profileId !== head; i++)
      await g2.engine.pinNextTurn('s', 'openai');
    expect(g2.host.pins.get('s')?.profileId).toBe(head);
    expect(g2.engine.overtakenPicks()).toEqual([]);
    // Gateway 1 cools the head down; gateway 2's OpenClaw knows nothing of it.
    coolOnG1(head);
    await exchange();
    const overtaken = g2.engine.overtakenPicks();
    expect(overtaken).toHaveLength(2);
    expect(overtaken).toContainEqual({ provider: 'openai' });
    expect(overtaken).toContainEqual({ provider: 'openai', sessionKey: 's' });
    for (const p of overtaken)
      await (p.sessionKey ? g2.engine.pinNextTurn(p.sessionKey, p.provider) : g2.engine.setHead(p.provider));
    // A new session on gateway 2 now starts on the other profile, and so does the session's next turn.
    expect(g2.host.startTurn('new')).toBe(other);
    expect(g2.host.startTurn('s')).toBe(other);
    // Nothing changed since: no scan, nothing to decide again.
    expect(g2.engine.overtakenPicks()).toEqual([]);
  });

  describe('priority', () => {
    const P = (k: string) => `openai:ctd-manual-key-${k}`;
    const setUpPriority = () => {
      const t = setUp('priority', ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'].map(P));
      delete t.host.store.profiles['openai:mine'];
      // The order another strategy left behind.
      t.host.store.order = { openai: [P('c'), P('a'), P('d'), P('b')] };
      return t;
    };
    const coolA = (t: ReturnType<typeof setUp>, ms: number) => {
      (t.host.store.usageStats as Record<string, object>)[P('a')] = {
        cooldownUntil: t.host.now + ms,
        cooldownReason: 'rate_limit',
        failureCounts: { rate_limit: 1 },
      };
    };

    it('stores the order by priority after the head (where OpenClaw moves a run whose profile failed)', async () => {
      const t = setUpPriority();
      await t.engine.setHead('openai');
      expect(t.host.store.order?.openai).toEqual(['a', 'b', 'c', 'd'].map(P));
      coolA(t, 30_000);
      await t.engine.setHead('openai');
      expect(t.host.store.order?.openai).toEqual(['b', 'a', 'c', 'd'].map(P));
    });

    it('puts the first profile back at the head and in every pending pin when its cooldown ends, without a probe', async () => {
      const t = setUpPriority();
      await t.engine.setHead('openai');
      coolA(t, 30_000);
      await t.engine.setHead('openai');
      expect(t.host.store.order?.openai?.[0]).toBe(P('b'));
      // Sessions run on B meanwhile; their next turns are pinned on B too.
      for (let s = 0; s < 3; s++) {
        t.host.pins.set(`s${s}`, { profileId: P('b'), source: 'auto' });
        await t.engine.pinNextTurn(`s${s}`, 'openai');
        expect(t.host.pins.get(`s${s}`)?.profileId).toBe(P('b'));
      }
      expect(t.engine.overtakenPicks()).toEqual([]);
      // OpenClaw's cooldown of A runs out (it drops the window, keeps the rate-limit count).
      t.host.now += 31_000;
      t.host.store.usageStats = { [P('a')]: { failureCounts: { rate_limit: 1 } } };
      // The head and the three pins decided while A cooled are decided again, the head first.
      const due = t.engine.overtakenPicks();
      expect(due).toEqual([
        { provider: 'openai' },
        ...[0, 1, 2].map((s) => ({ provider: 'openai', sessionKey: `s${s}` })),
      ]);
      for (const p of due)
        await (p.sessionKey ? t.engine.pinNextTurn(p.sessionKey, p.provider) : t.engine.setHead(p.provider));
      expect(t.host.store.order?.openai?.[0]).toBe(P('a'));
      // Every session is back on A at its next turn, not one probe first (OpenClaw's own rule for a
      // recovered higher-priority profile), and the cooldown copied into the history is gone.
      for (let s = 0; s < 3; s++) expect(t.host.pins.get(`s${s}`)?.profileId).toBe(P('a'));
      expect(t.engine.lastPick('openai')?.reason).not.toMatch(/probe/);
      expect(t.history.get('codex-cli:openai:key-a')?.cooldownUntil).toBeNull();
      expect(await turn(t, 'new')).toBe(P('a'));
      expect(t.engine.overtakenPicks()).toEqual([]);
    });
  });
});
