import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@ctd/core/node';
import { createMemoryHistoryStore, openHistoryStore } from '@ctd/history';
import { describe, expect, it } from 'vitest';
import { RotationEngine } from './engine.ts';
import type { AuthStoreView, HostSeams } from './host-seams.ts';
import { renderRotation } from './render.ts';
import { rotationStatePath, rotationStatus, writeRotationState } from './status.ts';

const NOW = 2_000_000_000_000;

function world() {
  const store: AuthStoreView = {
    profiles: {
      'openai:ctd-manual-key-a': { type: 'api_key', provider: 'openai', key: 'sk-test-status-a' },
      'openai:ctd-manual-key-b': { type: 'api_key', provider: 'openai', key: 'sk-test-status-b' },
      'openai:mine': { type: 'api_key', provider: 'openai', key: 'sk-test-status-mine' },
      'google:only': { type: 'api_key', provider: 'google', key: 'AIza-test-only' },
    },
    order: { openai: ['openai:ctd-manual-key-a', 'openai:ctd-manual-key-b', 'openai:mine'] },
    usageStats: {
      'openai:ctd-manual-key-b': {
        cooldownUntil: NOW + 30_000,
        cooldownReason: 'rate_limit',
        failureCounts: { rate_limit: 2 },
      },
    },
  };
  const seams: HostSeams = {
    authStore: () => store,
    resolveOrder: () => store.order?.openai ?? [],
    sessionPin: () => undefined,
    setAutoPin: async () => 'set',
    writeOrder: async () => true,
  };
  return { store, seams };
}

describe('rotation status', () => {
  it('shows per provider the strategy, order, shares, health and why the last pick was made; no key', async () => {
    const { store, seams } = world();
    const history = createMemoryHistoryStore({ clock: () => NOW });
    for (const k of ['a', 'b'])
      history.ensure({
        id: `codex-cli:openai:key-${k}`,
        hash: sha256Hex(`sk-test-status-${k}`),
        source: 'codex-cli',
        provider: 'openai',
      });
    for (let i = 0; i < 3; i++) history.recordUse('codex-cli:openai:key-a', NOW);
    history.recordUse('codex-cli:openai:key-b', NOW);
    const engine = new RotationEngine({ seams, history, strategy: () => 'least-used', clock: () => NOW });
    engine.decide('openai', 'session');
    const out = await rotationStatus({
      store,
      history,
      order: () => store.order?.openai ?? [],
      strategy: 'least-used',
      engine,
      now: NOW,
    });
    // Only providers rotation drives (two profiles or more, one imported).
    expect(out.map((p) => p.provider)).toEqual(['openai']);
    const [p] = out;
    expect(p?.strategy).toBe('least-used');
    expect(p?.order).toEqual(['openai:ctd-manual-key-a', 'openai:ctd-manual-key-b', 'openai:mine']);
    expect(p?.profiles.map((r) => [r.profileId, r.requests, r.share, r.health, r.imported])).toEqual([
      ['openai:ctd-manual-key-a', 3, 0.75, 'ok', true],
      ['openai:ctd-manual-key-b', 1, 0.25, 'cooling', true],
      ['openai:mine', 0, 0, 'ok', false],
    ]);
    expect(p?.profiles[1]?.failuresByKind).toEqual({ rate_limit: 2 });
    // The profile not imported is the least used and not cooling.
    expect(p?.lastPick?.profileId).toBe('openai:mine');
    expect(p?.lastPick?.reason).toMatch(/least-used: 0 uses/);
    const text = renderRotation(out).join('\n');
    expect(text).toContain('Rotation of openai: least-used');
    expect(text).toMatch(/last pick: openai:mine for a session's next turn: least-used/);
    expect(JSON.stringify(out) + text).not.toContain('sk-test-status');
  });

  it('in another process (the CLI), reads the last picks a gateway wrote beside the history', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctd-rotation-status-'));
    try {
      const { store, seams } = world();
      const history = await openHistoryStore({ file: join(dir, 'cli-token-history.json') });
      const engine = new RotationEngine({ seams, history, strategy: () => 'round-robin', clock: () => NOW });
      engine.decide('openai', 'new-sessions');
      const path = rotationStatePath(history) as string;
      await writeRotationState(path, engine, 'round-robin', Object.keys(store.profiles));
      const out = await rotationStatus({
        store,
        history,
        order: () => store.order?.openai ?? [],
        strategy: 'priority', // the CLI's own config; the gateway's state says what ran
        now: NOW,
      });
      expect(out[0]?.strategy).toBe('round-robin');
      expect(out[0]?.lastPick?.target).toBe('new-sessions');
      await history.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
