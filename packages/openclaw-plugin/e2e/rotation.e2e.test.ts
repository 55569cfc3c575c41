// End to end: the four strategies driving a real OpenClaw 2026.9.6 gateway's choice of auth
// profile, proved by counting the requests a fake OpenAI-compatible provider receives per key.
// OpenClaw's `openai` provider is pointed at the fake through `models.providers.openai.baseUrl`;
// four API keys are imported through the plugin (`tokenDiscovery.importManual`); real agent turns
// run through the gateway's `agent` method: 8 sessions × 10 turns per strategy. The gateway is
// restarted between strategies (the history file and OpenClaw's auth store carry over). Run with
// `node scripts/run-e2e.mjs e2e/rotation.e2e.test.ts` (or the whole `npm run test:e2e`).
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openHistoryStore } from '@ctd/history';
import { type FakeOpenAICompatible, startFakeOpenAICompatible } from '@ctd/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSandbox,
  ensureOpenClaw,
  type Gateway,
  GatewayClient,
  packPlugin,
  type Sandbox,
  waitFor,
} from './gateway.ts';
import { agentTurn, configureFakeOpenAI } from './rotation-world.ts';

const NAMES = ['A', 'B', 'C', 'D'] as const;
type KeyName = (typeof NAMES)[number];
/** Placeholder keys, random per run (never printed: the table shows the names and hash prefixes). */
const KEYS: Record<KeyName, string> = Object.fromEntries(
  NAMES.map((n) => [n, `sk-test-PLACEHOLDER-rot${n}-${randomBytes(12).toString('hex')}`]),
) as Record<KeyName, string>;
// 8 × 10 as the issue asks; smaller through the environment when debugging the suite itself.
const SESSIONS = Number(process.env.CTD_E2E_ROTATION_SESSIONS) || 8;
const TURNS = Number(process.env.CTD_E2E_ROTATION_TURNS) || 10;
const TURN_TIMEOUT_MS = 180_000;

interface RotationProfile {
  profileId: string;
  credentialId: string;
  requests: number;
  share: number;
  health: string;
  failuresByKind: Record<string, number>;
  requestsInCooldown: number;
  cooldownUntil: string | null;
}
interface RotationProvider {
  provider: string;
  strategy: string;
  order: string[];
  profiles: RotationProfile[];
  lastPick: { profileId: string; reason: string; target: string } | null;
}
interface StatusOutput {
  rotationStrategy: string;
  rotation?: RotationProvider[];
}
interface HistoryRecord {
  id: string;
  hash: string;
  usageCount: number;
}

let sandbox: Sandbox | undefined;
let fake: FakeOpenAICompatible;
let gateway: Gateway | undefined;
let client: GatewayClient | undefined;
/** Key name by SHA-256 of the key, and by profile id once imported. */
const nameByHash = new Map<string, KeyName>();
const profileOf = {} as Record<KeyName, string>;
const transcripts: string[] = [];
const failures: string[] = [];
const printed: string[] = [];

beforeEach(({ onTestFailed }) => {
  onTestFailed(({ task }) => {
    failures.push(`${task.name}: ${task.result?.errors?.[0]?.message?.split('\n')[0] ?? ''}`);
  });
});

const sha256 = async (s: string) =>
  (await import('node:crypto')).createHash('sha256').update(s).digest('hex');

async function ok<T>(method: string, params: unknown = {}, timeoutMs?: number): Promise<T> {
  const r = await (client as GatewayClient).call<T>(method, params, timeoutMs);
  expect(r.error, `${method}`).toBeUndefined();
  return r.payload as T;
}

/** OpenClaw's `openai` provider pointed at the fake, one model, and the plugin with a strategy. */
async function configure(strategy: string, extra: { order?: string[] } = {}): Promise<void> {
  await configureFakeOpenAI(
    sandbox as Sandbox,
    fake.baseUrl,
    { scanOnStartup: false, autoImport: true, rotationStrategy: strategy },
    extra.order ? { order: extra.order } : {},
  );
}

async function startGateway(): Promise<void> {
  const s = sandbox as Sandbox;
  gateway = s.startGateway();
  // Up to 10 min: on a shared 2-core machine under load a start has taken over 3 min.
  await gateway.waitReady(600_000);
  client = await GatewayClient.connect(s);
  // The rotation service starts with the gateway; its first act is the head of the stored order.
  await waitFor('rotation to start', async () => {
    const st = await ok<StatusOutput>('tokenDiscovery.status');
    return st.rotation ? true : undefined;
  });
}

async function stopGateway(): Promise<void> {
  if (client) transcripts.push(...client.frames);
  client?.close();
  client = undefined;
  await gateway?.stop();
  gateway = undefined;
}

/** One agent turn of a session through the gateway; resolves with its status when it ended. */
async function turn(sessionKey: string, n: number): Promise<string> {
  return (await agentTurn(client as GatewayClient, sessionKey, `turn ${n}: reply with ok`, TURN_TIMEOUT_MS))
    .status;
}

/**
 * 8 sessions × 10 turns. New sessions arrive one after another (each starts on the head of the
 * stored order, which moves after each); then every round runs the 8 sessions at once.
 */
async function runSessions(
  label: string,
  hooks: { beforeRound?: (round: number) => Promise<void> } = {},
): Promise<string[]> {
  const sessions = Array.from(
    { length: SESSIONS },
    (_, i) => `agent:main:rot-${label}-${i}-${randomUUID().slice(0, 8)}`,
  );
  const statuses: string[] = [];
  for (let round = 0; round < TURNS; round++) {
    await hooks.beforeRound?.(round);
    if (round === 0) {
      for (const s of sessions) statuses.push(await turn(s, round));
    } else {
      statuses.push(...(await Promise.all(sessions.map((s) => turn(s, round)))));
    }
  }
  return statuses;
}

async function historyCounts(): Promise<Record<KeyName, number>> {
  const h = await ok<{ records: HistoryRecord[] }>('tokenDiscovery.getHistory');
  const out = { A: 0, B: 0, C: 0, D: 0 };
  for (const r of h.records) {
    const name = nameByHash.get(r.hash);
    if (name) out[name] += r.usageCount;
  }
  return out;
}

/**
 * Requests the fake received per key: agent turns (they offer tools), or every request. OpenClaw
 * also makes utility completions of its own (e.g. a new session's label) outside the model-call
 * hooks; a plugin cannot see those, so they are reported apart.
 */
function fakeCounts(which: 'agent' | 'all' | 'utility' = 'agent'): Record<KeyName, number> {
  const out = { A: 0, B: 0, C: 0, D: 0 };
  for (const r of fake.chatRequests) {
    if (which === 'agent' && !r.tools) continue;
    if (which === 'utility' && r.tools) continue;
    const name = nameByHash.get(r.keyHash);
    if (name) out[name] += 1;
  }
  return out;
}

const minus = (a: Record<KeyName, number>, b: Record<KeyName, number>) =>
  Object.fromEntries(NAMES.map((n) => [n, a[n] - b[n]])) as Record<KeyName, number>;

async function rotation(): Promise<RotationProvider> {
  const st = await ok<StatusOutput>('tokenDiscovery.status');
  const p = st.rotation?.find((x) => x.provider === 'openai');
  expect(p, 'status.rotation for openai').toBeDefined();
  return p as RotationProvider;
}

function print(strategy: string, counts: Record<KeyName, number>, note = ''): void {
  const line = `[rotation e2e] ${strategy.padEnd(13)} requests per key: ${NAMES.map((n) => `${n}=${counts[n]}`).join(' ')}${note ? `  (${note})` : ''}`;
  printed.push(line);
  console.log(line);
}

/** Runs one strategy's sessions and checks what holds in every run. */
async function phase(
  strategy: string,
  run: () => Promise<string[]>,
): Promise<{ counts: Record<KeyName, number>; history: Record<KeyName, number>; status: RotationProvider }> {
  const beforeHistory = await historyCounts();
  fake.resetCounts();
  const statuses = await run();
  expect(
    statuses.filter((s) => s !== 'ok'),
    'every turn ended ok',
  ).toEqual([]);
  const counts = fakeCounts();
  // The history is written in batches; its in-memory counts are the gateway's view right away.
  const history = await historyCounts();
  const status = await rotation();
  const utility = fakeCounts('utility');
  print(
    strategy,
    counts,
    `history +${NAMES.map((n) => history[n] - beforeHistory[n]).join('/')}; OpenClaw's own utility requests ${NAMES.map((n) => utility[n]).join('/')}`,
  );
  console.log(`[rotation e2e] ${strategy} last pick: ${status.lastPick?.reason ?? '(none)'}`);
  // 0 lost, 0 double counted.
  expect(minus(history, beforeHistory), 'history counts = the fake provider counts').toEqual(counts);
  // No request reached a key OpenClaw was cooling down.
  for (const p of status.profiles)
    expect(p.requestsInCooldown, `${p.profileId} requests in cooldown`).toBe(0);
  expect(status.strategy).toBe(strategy);
  return { counts, history, status };
}

beforeAll(async () => {
  const install = ensureOpenClaw();
  fake = await startFakeOpenAICompatible({ keys: Object.values(KEYS) });
  for (const n of NAMES) nameByHash.set(await sha256(KEYS[n]), n);
  sandbox = await createSandbox(install, { env: { CTD_OPENAI_BASE_URL: fake.baseUrl }, prefix: 'ctd-rot-' });
  const packed = packPlugin(sandbox.harnessDir);
  await sandbox.installPlugin(packed.tarball);
  await configure('round-robin');
  await startGateway();
  // Four API keys, imported through the plugin (checked by the fake's /v1/models first).
  for (const n of NAMES) {
    const r = await ok<{ credential: { import: { status: string; profileId?: string } } }>(
      'tokenDiscovery.importManual',
      { cli: 'codex-cli', token: KEYS[n] },
    );
    expect(r.credential.import.status).toBe('imported');
    profileOf[n] = r.credential.import.profileId as string;
  }
  // Rotation picks the imported profiles up at its next start.
  await stopGateway();
  await startGateway();
}, 900_000);

afterAll(async () => {
  await stopGateway().catch(() => {});
  await fake?.close();
  if (!sandbox) return;
  const failed = failures.length > 0;
  await writeFile(join(sandbox.harnessDir, 'rpc-frames.jsonl'), `${transcripts.join('\n')}\n`);
  if (failed || process.env.CTD_E2E_KEEP) {
    console.error(
      `[rotation e2e] kept ${sandbox.home.path}\n${failures.map((f) => `[rotation e2e] failed: ${f}`).join('\n')}`,
    );
  } else {
    await sandbox.cleanup();
  }
  console.log(printed.join('\n'));
}, 120_000);

describe('the four strategies drive a real gateway (8 sessions × 10 turns each)', () => {
  it('round-robin: every key within ±1 of an even share of the 80 requests', async () => {
    const { counts } = await phase('round-robin', () => runSessions('rr'));
    const total = NAMES.reduce((n, k) => n + counts[k], 0);
    expect(total).toBe(SESSIONS * TURNS);
    for (const n of NAMES)
      expect(Math.abs(counts[n] - total / NAMES.length), `key ${n}`).toBeLessThanOrEqual(1);
  }, 1_200_000);

  it('least-used: max − min requests per key ≤ 1 at the end, counting usage recorded before', async () => {
    await stopGateway();
    await configure('least-used');
    // Usage recorded before the run by another process sharing the history file (another gateway).
    const other = await openHistoryStore({
      file: join((sandbox as Sandbox).stateDir, 'cli-token-history.json'),
    });
    const h = await historyCounts().catch(() => undefined);
    void h;
    const records = other.list();
    const seed: Partial<Record<KeyName, number>> = { A: 7, B: 3, D: 1 };
    for (const r of records) {
      const name = nameByHash.get(r.hash);
      const n = name ? (seed[name] ?? 0) : 0;
      for (let i = 0; i < n; i++) other.recordUse(r.id, Date.now());
    }
    await other.close();
    await startGateway();
    const before = await historyCounts();
    const { history } = await phase('least-used', () => runSessions('lu'));
    const values = NAMES.map((n) => history[n]);
    console.log(
      `[rotation e2e] least-used totals (before ${NAMES.map((n) => before[n]).join('/')}): ${values.join('/')}`,
    );
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
  }, 1_200_000);

  // A per-day 429: OpenClaw 2026.9.6 retries a short-window (per-minute) 429 on the same key inside
  // its provider transport, unseen by plugins (README "Limits"); on a long-window one it moves to the
  // next profile of the stored order at once, which rotation keeps in `auth.order` after its head.
  // Rounds run their 8 sessions at once, so a run OpenClaw prepared on A just before another run's
  // 429 cooled A still sends its request to A: it is attributed by the cooldowns of when it was
  // prepared (`before_model_resolve`), and is not a request OpenClaw chose a cooling key for.
  it('priority: all on the first key; the next takes over while it answers 429; back after its cooldown', async () => {
    await stopGateway();
    await configure('priority', { order: NAMES.map((n) => profileOf[n]) });
    await startGateway();
    const marks: Record<string, Record<KeyName, number>> = {};
    const seen: Record<string, number> = {};
    let coolingEndsAt = Number.NaN;
    const { counts } = await phase('priority', () =>
      runSessions('pr', {
        async beforeRound(round) {
          if (round === 3) {
            marks.beforeLimit = fakeCounts();
            // A daily limit: OpenClaw 2026.9.6 retries a short-window 429 on the same key itself
            // (up to 9 times, after its Retry-After; no model-call event, so no plugin sees them) and
            // moves to the next profile on a long-window one.
            fake.script(KEYS.A, {
              type: 'rate_limited',
              retryAfterS: 30,
              message: 'Rate limit reached for requests per day.',
            });
          }
          if (round === 4) {
            fake.script(KEYS.A, { type: 'ok' });
            marks.limited = fakeCounts();
            seen.limited = fake.chatRequests.length;
            const a = (await rotation()).profiles.find((x) => x.profileId === profileOf.A);
            coolingEndsAt = a?.cooldownUntil ? Date.parse(a.cooldownUntil) : Number.NaN;
          }
          if (round === 5) {
            marks.cooling = fakeCounts();
            seen.cooling = fake.chatRequests.length;
            // Back on A once OpenClaw's cooldown of A has ended and rotation has put A first in the
            // stored order again (and moved the sessions' pins decided meanwhile back to it).
            await waitFor(
              'the cooldown of key A to end and A to head the order',
              async () => {
                const r = await rotation();
                const p = r.profiles.find((x) => x.profileId === profileOf.A);
                return p && p.health !== 'cooling' && r.order[0] === profileOf.A ? true : undefined;
              },
              { timeoutMs: 10 * 60_000, intervalMs: 250 },
            );
          }
        },
      }),
    );
    const before = marks.beforeLimit as Record<KeyName, number>;
    const limited = minus(marks.limited as Record<KeyName, number>, before);
    const cooling = minus(marks.cooling as Record<KeyName, number>, marks.limited as Record<KeyName, number>);
    const after = minus(counts, marks.cooling as Record<KeyName, number>);
    print('priority 0-2', before, 'A answers 200');
    print('priority 3', limited, 'A answers 429');
    print(
      'priority 4',
      cooling,
      `A cooling down until ${Number.isFinite(coolingEndsAt) ? new Date(coolingEndsAt).toISOString() : '?'}`,
    );
    print('priority 5-9', after, 'after the cooldown');
    expect(before).toEqual({ A: 24, B: 0, C: 0, D: 0 });
    expect(limited.B, 'B takes over').toBeGreaterThanOrEqual(SESSIONS);
    expect(limited.C + limited.D).toBe(0);
    // While A cools down, B serves. A request to A in round 4 is one made after its cooldown ended
    // (a slow round on a busy machine outlasts the 30 s): never one inside it.
    expect(Number.isFinite(coolingEndsAt), 'A was cooling down when round 4 began').toBe(true);
    expect(cooling.C + cooling.D).toBe(0);
    expect(cooling.A + cooling.B).toBe(SESSIONS);
    const round4 = fake.chatRequests.slice(seen.limited, seen.cooling);
    const earlyOnA = round4.filter((r) => nameByHash.get(r.keyHash) === 'A' && r.at < coolingEndsAt);
    expect(earlyOnA, 'requests to A inside its cooldown').toEqual([]);
    // After the cooldown every session is back on A: the pins decided while it cooled were decided
    // again when it ended (round 5 may still have started on B where a pin was not moved in time);
    // from round 6 on, all of them.
    expect(after.A).toBeGreaterThanOrEqual(4 * SESSIONS);
    expect(after.C + after.D).toBe(0);
  }, 1_800_000);

  it('health-based: a key answering 401 gets only one probe per cooldown; the others share the rest', async () => {
    await stopGateway();
    await configure('health-based');
    fake.script(KEYS.D, { type: 'unauthorized' });
    await startGateway();
    const { counts, status } = await phase('health-based', () => runSessions('hb'));
    const d = fake.chatRequests.filter((r) => nameByHash.get(r.keyHash) === 'D');
    const firstFailure = d[0]?.at;
    const later = firstFailure === undefined ? [] : d.filter((r) => r.at > firstFailure + 1000);
    const dProfile = status.profiles.find((p) => p.profileId === profileOf.D);
    console.log(
      `[rotation e2e] health-based: D had ${d.length} request(s), ${later.length} after its first failure; failures ${JSON.stringify(dProfile?.failuresByKind)}`,
    );
    const others = (['A', 'B', 'C'] as const).map((n) => counts[n]);
    const mean = others.reduce((a, b) => a + b, 0) / others.length;
    for (const n of others)
      expect(Math.abs(n - mean), `shares ${others.join('/')}`).toBeLessThanOrEqual(Math.ceil(mean * 0.2));
    expect(later.length, 'requests to D after its first failure (probes)').toBeLessThanOrEqual(2);
  }, 1_200_000);

  it('puts no key in any log or result', async () => {
    await stopGateway();
    const s = sandbox as Sandbox;
    const logs = await s.logText();
    const texts = [...logs.map((l) => l.text), transcripts.join('\n'), printed.join('\n')];
    for (const key of Object.values(KEYS)) {
      for (const t of texts) expect(t.includes(key)).toBe(false);
    }
    // The rotation state file a gateway writes for `openclaw token-discovery status` holds no key.
    const leaks = (await Promise.all(Object.values(KEYS).map((k) => s.filesContaining(k)))).flat();
    expect(leaks.filter((f) => f.includes('cli-token'))).toEqual([]);
  }, 600_000);
});
