// The gateway methods' own checks, with a host stand-in that records the handlers.
import { createMemoryHistoryStore } from '@ctd/history';
import { createTokenDiscoveryService } from '@ctd/service';
import { createTempHome } from '@ctd/test-utils';
import { describe, expect, it } from 'vitest';
import type { GatewayMethodContext, PluginApi } from './host-types.ts';
import { registerGatewayMethods } from './methods.ts';

describe('tokenDiscovery.refreshToken', () => {
  it('runs a login method only for an operator with operator.write; listing stays a read', async () => {
    const home = await createTempHome();
    const handlers = new Map<string, (ctx: GatewayMethodContext) => Promise<void> | void>();
    const api = {
      registerGatewayMethod: (method: string, handler: (ctx: GatewayMethodContext) => Promise<void> | void) =>
        handlers.set(method, handler),
    } as unknown as PluginApi;
    const service = createTokenDiscoveryService({ env: home.env, history: createMemoryHistoryStore() });
    registerGatewayMethods(api, () => service);
    const call = async (params: Record<string, unknown>, scopes: string[]) => {
      let answer: { ok: boolean; payload?: unknown; error?: { code: string; message: string } } | undefined;
      await handlers.get('tokenDiscovery.refreshToken')?.({
        params,
        client: { connect: { scopes } },
        respond: (ok, payload, error) => {
          answer = { ok, payload, ...(error ? { error } : {}) };
        },
      });
      return answer;
    };
    const denied = await call({ target: 'codex-cli', method: 'cli-login' }, ['operator.read']);
    expect(denied).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(denied?.error?.message).toMatch(/operator\.write/);
    const listed = await call({ target: 'codex-cli' }, ['operator.read']);
    expect(listed?.ok).toBe(true);
    // The key page only answers with the page to open: a read too.
    const page = await call({ target: 'codex-cli', method: 'key-page' }, ['operator.read']);
    expect(page).toMatchObject({
      ok: true,
      payload: { open: { url: 'https://platform.openai.com/api-keys' } },
    });
    await service.close();
    await home.cleanup();
  });
});
