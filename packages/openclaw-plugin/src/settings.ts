import { CtdError } from '@ctd/core';
import type { ServiceConfig } from '@ctd/service';
import { toGatewayError } from './errors.ts';
import type { HostConfig, PluginApi } from './host-types.ts';
import { PLUGIN_ID } from './manifest.ts';

/** What `tokenDiscovery.getConfig` and `tokenDiscovery.setConfig` answer. */
export interface SettingsAnswer {
  /** The plugin's configuration, defaults applied. */
  config: ServiceConfig;
  /** The rotation strategies the schema accepts. */
  strategies: readonly string[];
  /** Every source, in adapter order, with how to log in. */
  sources: { id: string; displayName: string; loginHint: string }[];
}

/** The two settings methods and their scopes. */
export const SETTINGS_METHODS = [
  { method: 'tokenDiscovery.getConfig', scope: 'operator.read' },
  { method: 'tokenDiscovery.setConfig', scope: 'operator.write' },
] as const;

// The config schema (zod) and the adapters are imported when a settings method is called, not
// when the plugin loads: the gateway loads this module in every plugin instance (see index.ts).
const loadService = () => import('./runtime.ts');

async function answer(config: ServiceConfig): Promise<SettingsAnswer> {
  const { ALL_ADAPTERS, ROTATION_STRATEGIES } = await loadService();
  return {
    config,
    strategies: ROTATION_STRATEGIES,
    sources: ALL_ADAPTERS.map((a) => ({ id: a.id, displayName: a.displayName, loginHint: a.loginHint })),
  };
}

/** The plugin's config as the gateway holds it now (the file's latest), else what it started with. */
function currentConfig(api: PluginApi): unknown {
  const live: HostConfig | undefined = api.runtime?.config?.current?.();
  return live?.plugins?.entries?.[PLUGIN_ID]?.config ?? api.pluginConfig ?? {};
}

/**
 * Registers `tokenDiscovery.getConfig` (`operator.read`) and `tokenDiscovery.setConfig`
 * (`operator.write`): the dashboard's settings form. `setConfig({config})` validates with the same
 * zod schema as the plugin's manifest and writes `plugins.entries.cli-token-discovery.config`
 * through the host's config writer; a refused value changes nothing.
 */
export function registerSettingsMethods(api: PluginApi): void {
  api.registerGatewayMethod(
    'tokenDiscovery.getConfig',
    async ({ respond }) => {
      const parsed = (await loadService()).parseServiceConfig(currentConfig(api));
      if (parsed.ok) respond(true, await answer(parsed.value));
      else {
        respond(
          false,
          undefined,
          toGatewayError(
            new CtdError('BAD_USAGE', `the plugin's config is invalid: ${parsed.issues.join('; ')}`),
          ),
        );
      }
    },
    { scope: 'operator.read' },
  );
  api.registerGatewayMethod(
    'tokenDiscovery.setConfig',
    async ({ params, respond }) => {
      try {
        const given = params?.config;
        if (typeof given !== 'object' || given === null || Array.isArray(given)) {
          throw new CtdError('BAD_USAGE', 'setConfig: params.config must be an object');
        }
        const parsed = (await loadService()).parseServiceConfig(given);
        if (!parsed.ok) throw new CtdError('BAD_USAGE', `setConfig: ${parsed.issues.join('; ')}`);
        const writer = api.runtime?.config;
        if (!writer) throw new CtdError('INTERNAL', 'OpenClaw offers no config writer to this plugin');
        await writer.mutateConfigFile({
          afterWrite: { mode: 'auto' },
          mutate: (draft) => {
            const plugins = draft.plugins ?? {};
            const entries = plugins.entries ?? {};
            entries[PLUGIN_ID] = { ...entries[PLUGIN_ID], config: parsed.value };
            draft.plugins = { ...plugins, entries };
          },
        });
        respond(true, await answer(parsed.value));
      } catch (error) {
        respond(false, undefined, toGatewayError(error));
      }
    },
    { scope: 'operator.write' },
  );
}
