// The plugin's background work with a host stand-in that records its log lines and gateway events
// (the service, the stores and the watcher are real).
import { createMemoryHistoryStore } from '@ctd/history';
import { createTokenDiscoveryService } from '@ctd/service';
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKeepAlive } from './background.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(async () => {
  await home.cleanup();
});

function host() {
  const lines: string[] = [];
  const events: { event: string; payload: unknown; scope: string }[] = [];
  const logger = {
    info: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  };
  const gatewayEvents = {
    emit: (event: string, payload: unknown, opts: { scope: string }) => {
      if (!/^[a-z][a-z0-9_-]*$/.test(event)) throw new Error(`invalid plugin gateway event name: ${event}`);
      events.push({ event, payload, scope: opts.scope });
    },
  };
  return { lines, events, ctx: { logger, gatewayEvents } };
}

describe('the keep-alive service', () => {
  it('alerts once in the log and as a gateway event, and re-imports a store changed on disk', async () => {
    const TOKEN = 'sk-ant-oat01-test-plugin-expiring-0000';
    await home.writeJson('.claude/.credentials.json', {
      claudeAiOauth: { accessToken: TOKEN, expiresAt: Date.now() + 3_600_000 },
    });
    const service = createTokenDiscoveryService({
      env: home.env,
      history: createMemoryHistoryStore(),
      config: { validateTokens: false, autoRefresh: false },
    });
    const h = host();
    const stop = startKeepAlive(service, home.env, h.ctx);
    // The startup scan, started before the background has loaded its parts: still seen.
    await service.scan();
    const expiryEvents = () => h.events.filter((e) => e.event === 'expiry');
    await expect.poll(() => expiryEvents().length).toBe(1);
    // The same state scanned again: no second alert.
    await service.scan();
    const alerts = expiryEvents();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      scope: 'operator.read',
      payload: { source: 'claude-code', state: 'expiring' },
    });
    expect(
      h.lines.some((l) => l.startsWith('warn [cli-token-discovery] claude-code') && l.includes('expiring')),
    ).toBe(true);
    // A new login written by the CLI is picked up by the watcher.
    await expect.poll(() => h.lines.some((l) => l.includes('keeping logins alive'))).toBe(true);
    await fixtures.codex.writeCodexApiKey(home);
    await expect.poll(() => h.events.some((e) => e.event === 'reimported'), { timeout: 5_000 }).toBe(true);
    expect(JSON.stringify(h.events) + h.lines.join('\n')).not.toContain(TOKEN);
    await stop();
    await service.close();
  });
});
