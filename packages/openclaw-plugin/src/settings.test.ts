import { describe, expect, it } from 'vitest';
import type { GatewayErrorShape, HostConfig, PluginApi } from './host-types.ts';
import { registerSettingsMethods, type SettingsAnswer } from './settings.ts';

type Handler = Parameters<PluginApi['registerGatewayMethod']>[1];

/** A plugin API with a config held in memory and written through mutateConfigFile, as the host does. */
function fakeApi(initial: unknown) {
  const file: HostConfig = {
    plugins: { entries: { 'cli-token-discovery': { enabled: true, config: initial } } },
  };
  const methods = new Map<string, { handler: Handler; scope: string }>();
  let writes = 0;
  const api = {
    pluginConfig: initial,
    runtime: {
      config: {
        current: () => structuredClone(file),
        async mutateConfigFile({ mutate }: { mutate(draft: HostConfig): void }) {
          writes++;
          mutate(file);
        },
      },
    },
    registerGatewayMethod(method: string, handler: Handler, opts: { scope: string }) {
      methods.set(method, { handler, scope: opts.scope });
    },
  } as unknown as PluginApi;
  registerSettingsMethods(api);
  const call = async (method: string, params?: Record<string, unknown>) => {
    let out: { ok: boolean; payload?: unknown; error?: GatewayErrorShape | undefined } | undefined;
    await methods
      .get(method)!
      .handler({ params, respond: (ok, payload, error) => (out = { ok, payload, error }) });
    return out!;
  };
  return { file, methods, call, writes: () => writes };
}

describe('tokenDiscovery.getConfig / setConfig', () => {
  it('reads with operator.read and writes with operator.write', () => {
    const { methods } = fakeApi({});
    expect(methods.get('tokenDiscovery.getConfig')!.scope).toBe('operator.read');
    expect(methods.get('tokenDiscovery.setConfig')!.scope).toBe('operator.write');
  });

  it('answers the config with defaults, the strategies and the sources', async () => {
    const { call } = fakeApi({ rotationStrategy: 'priority' });
    const r = await call('tokenDiscovery.getConfig');
    expect(r.ok).toBe(true);
    const a = r.payload as SettingsAnswer;
    expect(a.config.rotationStrategy).toBe('priority');
    expect(a.config.scanOnStartup).toBe(true);
    expect(a.strategies).toContain('round-robin');
    expect(a.sources.map((s) => s.id)).toContain('codex-cli');
  });

  it('validates with the service schema, writes the plugin entry, and changes nothing when refused', async () => {
    const { call, file, writes } = fakeApi({});
    const ok = await call('tokenDiscovery.setConfig', {
      config: {
        autoImport: false,
        rotationStrategy: 'least-used',
        cliSources: { 'codex-cli': { priority: 3 } },
      },
    });
    expect(ok.ok).toBe(true);
    const written = file.plugins!.entries!['cli-token-discovery']!.config as Record<string, unknown>;
    expect(written).toMatchObject({ autoImport: false, rotationStrategy: 'least-used' });
    expect((written.cliSources as Record<string, { priority: number }>)['codex-cli']!.priority).toBe(3);
    expect(file.plugins!.entries!['cli-token-discovery']!.enabled).toBe(true);
    expect((await call('tokenDiscovery.getConfig')).payload).toMatchObject({
      config: { rotationStrategy: 'least-used' },
    });

    const bad = await call('tokenDiscovery.setConfig', { config: { rotationStrategy: 'nope' } });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatchObject({ code: 'INVALID_REQUEST', details: { code: 'BAD_USAGE' } });
    expect(bad.error!.message).toContain('rotationStrategy');
    expect((await call('tokenDiscovery.setConfig', {})).ok).toBe(false);
    expect(writes()).toBe(1);
  });
});
