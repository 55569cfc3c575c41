// Three gateway-like processes sharing one real redis-server: 8 agents each, 1,000 decisions per
// agent, over 5 credentials. Round-robin stays within 1% of even, least-used within one use, and
// no usage count is lost, also when Redis is restarted mid-run (AOF on).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Strategy } from '@ctd/rotator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisHistoryStore } from './store.ts';
import { startRedis, type TestRedis } from './testing/redis-server.ts';

const GATEWAY = fileURLToPath(new URL('./testing/gateway.ts', import.meta.url));
const PROCESSES = 3;
const AGENTS = 8;
const DECISIONS = 1000;
const CREDENTIALS = 5;
const TOTAL = PROCESSES * AGENTS * DECISIONS;

interface GatewayResult {
  byId: Record<string, number>;
  unavailable: number;
  degraded: number;
  ms: number;
  /** The longest acquireShared (ms). */
  slowest: number;
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ aof: true });
});
afterAll(async () => {
  await redis?.dispose();
});

function gateway(
  strategy: Strategy,
  keyPrefix: string,
  onLine: (line: string) => void = () => {},
): Promise<GatewayResult> {
  const args = {
    url: redis.url,
    keyPrefix,
    strategy,
    agents: AGENTS,
    decisions: DECISIONS,
    credentials: CREDENTIALS,
    progressEvery: 2000,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@ctd/source', '--no-warnings', GATEWAY, JSON.stringify(args)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of c.toString().split('\n')) if (line.startsWith('progress')) onLine(line);
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(last) as GatewayResult);
      else reject(new Error(`gateway exited with ${code}: ${err.slice(-2000)}`));
    });
  });
}

async function usage(keyPrefix: string) {
  const store = await openRedisHistoryStore({
    url: redis.url,
    keyPrefix,
    flushIntervalMs: 0,
    readOnly: true,
  });
  try {
    return store.list().map((e) => ({ id: e.id, uses: e.usageCount, successes: e.successes }));
  } finally {
    await store.close();
  }
}

describe('three gateways on one Redis', () => {
  it('round-robin: each credential within 1% of an even share, nothing lost', async () => {
    const prefix = `mp:{${randomUUID()}}:`;
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () => gateway('round-robin', prefix)),
    );
    const rows = await usage(prefix);
    const even = TOTAL / CREDENTIALS;
    expect(rows).toHaveLength(CREDENTIALS);
    for (const r of rows) expect(Math.abs(r.uses - even) / even).toBeLessThanOrEqual(0.01);
    expect(rows.reduce((s, r) => s + r.uses, 0)).toBe(TOTAL);
    expect(rows.reduce((s, r) => s + r.successes, 0)).toBe(TOTAL);
    expect(results.reduce((s, r) => s + Object.values(r.byId).reduce((a, b) => a + b, 0), 0)).toBe(TOTAL);
  });

  it('least-used: max − min ≤ 1 across every gateway, nothing lost', async () => {
    const prefix = `mp:{${randomUUID()}}:`;
    await Promise.all(Array.from({ length: PROCESSES }, () => gateway('least-used', prefix)));
    const rows = await usage(prefix);
    const uses = rows.map((r) => r.uses);
    expect(Math.max(...uses) - Math.min(...uses)).toBeLessThanOrEqual(1);
    expect(uses.reduce((s, u) => s + u, 0)).toBe(TOTAL);
    expect(rows.reduce((s, r) => s + r.successes, 0)).toBe(TOTAL);
  });

  it('Redis restarted mid-run (AOF on): rotation never stops, no usage count is lost', async () => {
    const prefix = `mp:{${randomUUID()}}:`;
    let restarting: Promise<void> | null = null;
    const restartOnce = () => {
      restarting ??= (async () => {
        await redis.stop();
        // Down for a while: the gateways rotate from their last known state meanwhile.
        await new Promise((r) => setTimeout(r, 500));
        await redis.start();
      })();
    };
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        gateway('round-robin', prefix, (line) => {
          if (Number(line.split(' ')[1]) >= 2000) restartOnce();
        }),
      ),
    );
    await restarting;
    const rows = await usage(prefix);
    expect(rows.reduce((s, r) => s + r.uses, 0)).toBe(TOTAL);
    expect(rows.reduce((s, r) => s + r.successes, 0)).toBe(TOTAL);
    // Every agent got a lease each time it asked, through the outage too.
    expect(results.reduce((s, r) => s + r.unavailable, 0)).toBe(0);
    expect(results.some((r) => r.degraded > 0)).toBe(true);
  });
});
