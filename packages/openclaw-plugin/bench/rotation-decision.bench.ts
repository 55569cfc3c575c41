// Rotation inside OpenClaw, in process (no gateway):
// 1. The cost of one rotation decision at 1,000 profiles: `RotationEngine.decide` (the pool read
//    from the auth store, OpenClaw's cooldowns mirrored, @ctd/rotator's pick) for each strategy.
//    Goal: under 1 ms at the median.
// 2. @ctd/rotator's pick beside OpenClaw's own `resolveAuthProfileOrder` (imported from the
//    installed openclaw package) on the same pool of 10, 100 and 1,000 profiles, as a ratio.
//    Skipped (said so) when the OpenClaw e2e install is absent.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '@ctd/core/node';
import { createMemoryHistoryStore } from '@ctd/history';
import { createRotator, type RotatorCredential, type Strategy } from '@ctd/rotator';
import { machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import { RotationEngine } from '../src/rotation/engine.ts';
import type { AuthStoreView, HostSeams } from '../src/rotation/host-seams.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const PROVIDER_AUTH = join(
  ROOT,
  '.cache/openclaw-e2e/node_modules/openclaw/dist/plugin-sdk/provider-auth.js',
);

function authStore(n: number, now: number): AuthStoreView {
  const store: AuthStoreView = { profiles: {}, usageStats: {}, order: { openai: [] } };
  for (let i = 0; i < n; i++) {
    const id = `openai:ctd-manual-key-${String(i).padStart(4, '0')}`;
    store.profiles[id] = { type: 'api_key', provider: 'openai', key: `sk-test-bench-${i}` };
    // A few cooling down, as in a busy pool.
    (store.usageStats as Record<string, object>)[id] =
      i % 50 === 0
        ? { cooldownUntil: now + 60_000, cooldownReason: 'rate_limit' }
        : { lastUsed: now - i * 1000 };
    store.order?.openai?.push(id);
  }
  return store;
}

function seamsOver(store: AuthStoreView): HostSeams {
  return {
    authStore: () => store,
    resolveOrder: () => store.order?.openai ?? [],
    sessionPin: () => undefined,
    setAutoPin: async () => 'set',
    writeOrder: async () => true,
  };
}

/** Median µs of `fn` over `rounds` rounds of `perRound` calls. */
function timeUs(fn: () => void, rounds: number, perRound: number): number[] {
  for (let i = 0; i < perRound; i++) fn(); // warm-up
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    out.push(((performance.now() - t) * 1000) / perRound);
  }
  return out;
}

say(`rotation decision bench (${machineLoad()})`);

// 1. One decision at 1,000 profiles, per strategy.
const now = Date.now();
for (const strategy of ['round-robin', 'least-used', 'priority', 'health-based'] as Strategy[]) {
  const store = authStore(1000, now);
  const history = createMemoryHistoryStore({ clock: () => now });
  for (const [id, p] of Object.entries(store.profiles)) {
    history.ensure({
      id: `codex-cli:${id}`,
      hash: sha256Hex(p.key as string),
      source: 'codex-cli',
      provider: 'openai',
    });
  }
  const engine = new RotationEngine({
    seams: seamsOver(store),
    history,
    strategy: () => strategy,
    clock: () => now,
  });
  engine.decide('openai', 'session'); // builds the pool index once
  const samples = timeUs(() => engine.decide('openai', 'session'), 15, 50);
  recordGoal({
    bench: 'openclaw-plugin rotation',
    goal: `one rotation decision at 1,000 profiles (${strategy}), µs (goal < 1000)`,
    samples,
    limit: 1000,
    unit: ' µs',
  });
  await history.close();
}

// 2. @ctd/rotator beside OpenClaw's resolveAuthProfileOrder.
if (!existsSync(PROVIDER_AUTH)) {
  say(
    'skipped the side-by-side with OpenClaw: .cache/openclaw-e2e is not installed (npm run test:e2e installs it)',
  );
} else {
  // OpenClaw reads its state dir on import; keep it away from the user's.
  process.env.OPENCLAW_STATE_DIR ??= join(ROOT, '.cache', 'bench-openclaw-state');
  const t0 = performance.now();
  const sdk = (await import(PROVIDER_AUTH)) as {
    resolveAuthProfileOrder(params: { cfg: unknown; store: AuthStoreView; provider: string }): string[];
  };
  say(`loaded OpenClaw's plugin-sdk/provider-auth in ${Math.round(performance.now() - t0)} ms`);
  for (const n of [10, 100, 1000]) {
    const store = authStore(n, now);
    delete store.order; // OpenClaw's own ordering (type, then oldest lastUsed), no stored order
    const perRound = n >= 1000 ? 1 : n >= 100 ? 5 : 50;
    const oc = timeUs(() => sdk.resolveAuthProfileOrder({ cfg: {}, store, provider: 'openai' }), 7, perRound);
    const history = createMemoryHistoryStore({ clock: () => now });
    const rotator = createRotator<RotatorCredential>({
      store: history,
      strategy: 'least-used',
      clock: () => now,
    });
    rotator.setCredentials(
      Object.entries(store.profiles).map(([id, p]) => ({
        id,
        hash: sha256Hex(p.key as string),
        source: 'codex-cli',
        provider: 'openai',
      })),
    );
    const ours = timeUs(() => rotator.acquire({ provider: 'openai' }), 7, 200);
    const a = stats(oc).median;
    const b = stats(ours).median;
    say(
      `${String(n).padStart(5)} profiles: OpenClaw resolveAuthProfileOrder ${a.toFixed(1)} µs, @ctd/rotator acquire ${b.toFixed(1)} µs: ratio ${(a / b).toFixed(1)}× (OpenClaw / rotator)`,
    );
    recordGoal({
      bench: 'openclaw-plugin rotation',
      goal: `@ctd/rotator vs OpenClaw resolveAuthProfileOrder at ${n} profiles, ratio OpenClaw/rotator (goal ≥ 1)`,
      samples: oc.map((x, i) => x / (ours[i] as number)),
      limit: 1,
      kind: 'min',
      unit: '×',
    });
    await history.close();
  }
}
