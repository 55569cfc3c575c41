// Several gateways sharing rotation state through one history file.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FileHistoryStore, openHistoryStore } from '@ctd/history';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotator } from './rotator.ts';
import { credentials, fakeClock } from './testing/sim.ts';

const WORKER = fileURLToPath(new URL('./testing/worker.ts', import.meta.url));

let home: TempHome;
const stores: FileHistoryStore[] = [];
beforeEach(async () => {
  home = await createTempHome('ctd-rotator-');
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await home.cleanup();
});

async function gateway(instanceId: string, clock = fakeClock()) {
  const store = await openHistoryStore({ env: home.env, flushIntervalMs: 0, flushOnExit: false, clock });
  stores.push(store);
  const rotator = createRotator({ store, strategy: 'least-used', clock, instanceId });
  rotator.setCredentials(credentials(3));
  return { store, rotator };
}

function run(args: Record<string, unknown>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@ctd/source', '--no-warnings', WORKER, JSON.stringify(args)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) => {
      if (code === 0) resolve((JSON.parse(out) as { picked: string[] }).picked);
      else reject(new Error(`worker exited with ${code}: ${err}`));
    });
  });
}

describe('rotation shared between processes', () => {
  it('a gateway sees the usage another one recorded, and picks a different least-used credential', async () => {
    const a = await gateway('gateway-a');
    const b = await gateway('gateway-b');
    await a.store.flush();
    await b.store.flush();
    const first = a.rotator.acquire({ provider: 'openai' });
    await a.store.flush();
    await b.store.flush();
    const second = b.rotator.acquire({ provider: 'openai' });
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) expect(second.id).not.toBe(first.id);
  });

  it('acquireShared decides on the freshest state, without a flush in between', async () => {
    const a = await gateway('same');
    const b = await gateway('same'); // same tie-break order: only the shared state can keep them apart
    const picks = [];
    for (let i = 0; i < 6; i++) {
      const g = i % 2 === 0 ? a : b;
      const lease = await g.rotator.acquireShared({ provider: 'openai' });
      if (!lease.ok) throw new Error(lease.reason);
      picks.push(lease.id);
    }
    expect(picks.slice(0, 3).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(picks.slice(3).sort()).toEqual(['c1', 'c2', 'c3']);
  });

  it('a cooldown set by one gateway is honoured by another', async () => {
    const clock = fakeClock();
    const a = await gateway('gateway-a', clock);
    const b = await gateway('gateway-b', clock);
    for (const id of ['c1', 'c2'])
      a.store.setCooldown(id, { until: clock() + 60_000, cause: 'rate_limited', at: clock() });
    await a.store.flush();
    await b.store.flush();
    for (let i = 0; i < 4; i++) {
      const lease = b.rotator.acquire({ provider: 'openai' });
      expect(lease).toMatchObject({ ok: true, id: 'c3' });
    }
  });

  it('two processes using acquireShared keep least-used usage within 1 of even', async () => {
    const file = home.resolve('.openclaw/cli-token-history.json');
    const args = { file, credentials: 5, requests: 150, strategy: 'least-used', shared: true };
    const [p1, p2] = await Promise.all([run(args), run(args)]);
    const store = await openHistoryStore({ file, flushIntervalMs: 0, flushOnExit: false });
    stores.push(store);
    const uses = store.list().map((e) => e.usageCount);
    expect(uses.reduce((x, y) => x + y, 0)).toBe(300);
    expect(Math.max(...uses) - Math.min(...uses)).toBeLessThanOrEqual(1);
    expect((p1 as string[]).length + (p2 as string[]).length).toBe(300);
    expect(store.list().every((e) => e.successes === e.usageCount)).toBe(true);
  });
});
