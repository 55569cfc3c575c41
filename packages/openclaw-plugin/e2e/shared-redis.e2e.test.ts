// End to end: two real OpenClaw gateways sharing one Redis (`history: { backend: "redis" }`) spend
// the same two API keys. Key A answers 401 (revoked) on gateway 1, which puts it into cooldown in
// the shared history; gateway 2, whose OpenClaw never saw A fail, then sends no request with A
// while that cooldown lasts. Afterwards no Redis key or value holds a key. One redis-server on loopback
// (stopped by PID), one fake OpenAI-compatible provider for both gateways. Run with
// `node scripts/run-e2e.mjs e2e/shared-redis.e2e.test.ts` (or the whole `npm run test:e2e`).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type FakeOpenAICompatible, startFakeOpenAICompatible } from '@ctd/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The test helper of @ctd/history-redis (a real redis-server), by path: this package bundles the
// driver through @ctd/service and does not depend on it directly.
import { startRedis, type TestRedis } from '../../history-redis/src/testing/redis-server.ts';
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

const NAMES = ['A', 'B'] as const;
type KeyName = (typeof NAMES)[number];
/** Placeholder keys, random per run (never printed). */
const KEYS: Record<KeyName, string> = Object.fromEntries(
  NAMES.map((n) => [n, `sk-test-PLACEHOLDER-shared${n}-${randomBytes(12).toString('hex')}`]),
) as Record<KeyName, string>;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const nameByHash = new Map(NAMES.map((n) => [sha256(KEYS[n]), n]));
const KEY_PREFIX = 'ctd:{e2e}:';

interface Node {
  sandbox: Sandbox;
  gateway?: Gateway | undefined;
  client?: GatewayClient | undefined;
}
let redis: TestRedis | undefined;
let fake: FakeOpenAICompatible;
const nodes: Node[] = [];
let failed = false;

async function ok<T>(node: Node, method: string, params: unknown = {}): Promise<T> {
  const r = await (node.client as GatewayClient).call<T>(method, params);
  expect(r.error, method).toBeUndefined();
  return r.payload as T;
}

async function start(node: Node): Promise<void> {
  node.gateway = node.sandbox.startGateway();
  // Up to 10 min: on a shared 2-core machine under load a start has taken over 3 min.
  await node.gateway.waitReady(600_000);
  node.client = await GatewayClient.connect(node.sandbox);
  await waitFor('rotation to start', async () =>
    (await ok<{ rotation?: unknown[] }>(node, 'tokenDiscovery.status')).rotation ? true : undefined,
  );
}

async function stop(node: Node): Promise<void> {
  node.client?.close();
  node.client = undefined;
  await node.gateway?.stop();
  node.gateway = undefined;
}

/** One turn of a new session; its status. */
async function newSessionTurn(node: Node, label: string): Promise<string> {
  const session = `agent:main:shared-${label}-${randomUUID().slice(0, 8)}`;
  return (await agentTurn(node.client as GatewayClient, session, 'reply with ok')).status;
}

/** Chat requests the fake received with a key since its last reset (before `until`, when given). */
const requestsWith = (name: KeyName, until = Number.POSITIVE_INFINITY) =>
  fake.chatRequests.filter((r) => nameByHash.get(r.keyHash) === name && r.at < until).length;

/**
 * Key A's cooldown end in a gateway's history (the shared one), once that gateway's rotation has
 * acted on it (A no longer heads its OpenClaw's stored order, where new sessions start), or undefined.
 */
async function cooldownOfA(node: Node): Promise<number | undefined> {
  const h = await ok<{ records: { id: string; hash: string; cooldownUntil?: string | null }[] }>(
    node,
    'tokenDiscovery.getHistory',
  );
  const a = h.records.find((r) => r.hash === sha256(KEYS.A));
  const until = Date.parse(a?.cooldownUntil ?? '');
  if (!a || !(until > Date.now())) return undefined;
  const st = await ok<{
    rotation?: {
      provider: string;
      order: string[];
      profiles: { profileId: string; credentialId: string }[];
    }[];
  }>(node, 'tokenDiscovery.status');
  const openai = st.rotation?.find((p) => p.provider === 'openai');
  const profileOfA = openai?.profiles.find((p) => p.credentialId === a.id)?.profileId;
  return profileOfA && openai?.order[0] !== profileOfA ? until : undefined;
}

/** Every key and value in Redis, as text (redis-cli on loopback). */
function redisDump(port: number): { keys: string[]; text: string } {
  const cli = (...args: string[]) => {
    const r = spawnSync('redis-cli', ['-p', String(port), '--raw', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`redis-cli ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  };
  const keys = cli('--scan').split('\n').filter(Boolean);
  const read: Record<string, string[]> = {
    string: ['GET'],
    hash: ['HGETALL'],
    set: ['SMEMBERS'],
    list: ['LRANGE', '0', '-1'],
    zset: ['ZRANGE', '0', '-1', 'WITHSCORES'],
    stream: ['XRANGE', '-', '+'],
  };
  const parts = keys.map((key) => {
    const type = cli('TYPE', key).trim();
    const [cmd, ...rest] = read[type] ?? ['TYPE'];
    return `${key}\n${cli(cmd as string, key, ...rest)}`;
  });
  return { keys, text: parts.join('\n') };
}

beforeAll(async () => {
  const install = ensureOpenClaw();
  redis = await startRedis();
  fake = await startFakeOpenAICompatible({ keys: Object.values(KEYS) });
  const history = { backend: 'redis', url: redis.url, keyPrefix: KEY_PREFIX };
  let packed: ReturnType<typeof packPlugin> | undefined;
  for (const i of [1, 2]) {
    const sandbox = await createSandbox(install, {
      env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
      prefix: `ctd-shared${i}-`,
    });
    nodes.push({ sandbox });
    packed ??= packPlugin(sandbox.harnessDir);
    await sandbox.installPlugin(packed.tarball);
    await configureFakeOpenAI(sandbox, fake.baseUrl, {
      scanOnStartup: false,
      autoImport: true,
      rotationStrategy: 'round-robin',
      history,
    });
  }
  // One gateway at a time (2 cores, ~1 GB each): both keys imported into each through the plugin,
  // then a restart, where rotation picks the imported profiles up.
  for (const node of nodes) {
    await start(node);
    for (const n of NAMES) {
      const r = await ok<{ credential: { import: { status: string } } }>(
        node,
        'tokenDiscovery.importManual',
        {
          cli: 'codex-cli',
          token: KEYS[n],
        },
      );
      expect(r.credential.import.status).toBe('imported');
    }
    await stop(node);
  }
  for (const node of nodes) await start(node);
}, 2_400_000);

afterAll(async () => {
  for (const node of nodes) await stop(node).catch(() => {});
  await fake?.close();
  await redis?.dispose();
  for (const { sandbox } of nodes) {
    if (failed || process.env.CTD_E2E_KEEP) console.error(`[shared-redis e2e] kept ${sandbox.home.path}`);
    else await sandbox.cleanup();
  }
}, 120_000);

describe('two gateways, one Redis', () => {
  it("skips on gateway 2 a key gateway 1 put into cooldown (gateway 2's OpenClaw never saw it fail)", async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      failed = true;
    });
    const [g1, g2] = nodes as [Node, Node];
    // Gateway 1: new sessions until one is sent to A (round-robin: one of the first two); A answers
    // 401, OpenClaw moves the turn to B and disables A; rotation mirrors that into Redis.
    // A revoked key: OpenClaw disables it for 10 min (a plain 401 is 30 s, shorter than a few turns
    // take on a busy 2-core machine: a run once saw 35 s for one).
    fake.script(KEYS.A, { type: 'unauthorized', message: 'This key has been revoked.' });
    fake.resetCounts();
    for (let i = 0; i < 4 && requestsWith('A') === 0; i++)
      expect(await newSessionTurn(g1, `g1-${i}`)).toBe('ok');
    expect(requestsWith('A'), 'gateway 1 sent a request with A').toBeGreaterThan(0);
    // Gateway 1 mirrors OpenClaw's cooldown of A (10 min for a revoked key) into the history when it
    // decides the session's next pick; the history flushes within a second, gateway 2 reads it and
    // its rotation moves the head of its stored order off A (its OpenClaw never saw A fail).
    const until = (await waitFor('gateway 2 to see the cooldown of A', () => cooldownOfA(g2), {
      timeoutMs: 20_000,
      intervalMs: 100,
    })) as number;

    // Gateway 2: new sessions one after another (each starts on the head of the stored order, which
    // rotation moves after each). Without the shared cooldown, round-robin sends every other one to A.
    fake.resetCounts();
    const inCooldown: string[] = [];
    for (let i = 0; i < 4; i++) {
      const status = await newSessionTurn(g2, `g2-${i}`);
      if (Date.now() < until) inCooldown.push(status);
    }
    console.log(
      `[shared-redis e2e] gateway 2: ${inCooldown.length} turns inside the cooldown of A; requests A=${requestsWith('A', until)} B=${requestsWith('B', until)} in it, A=${requestsWith('A')} in all`,
    );
    expect(inCooldown.length, 'turns that ended inside the cooldown').toBeGreaterThanOrEqual(2);
    expect(inCooldown.filter((s) => s !== 'ok')).toEqual([]);
    expect(requestsWith('A', until), 'requests with A from gateway 2 during the cooldown').toBe(0);
  }, 900_000);

  it('leaves no key in Redis (every key and value scanned)', async () => {
    const dump = redisDump((redis as TestRedis).port);
    expect(dump.keys.length).toBeGreaterThan(0);
    expect(dump.text).toContain(sha256(KEYS.A));
    for (const key of Object.values(KEYS)) {
      expect(dump.text.includes(key)).toBe(false);
      expect(dump.text.includes(key.slice(-24))).toBe(false);
    }
    expect(dump.text.includes('PLACEHOLDER')).toBe(false);
  });
});
