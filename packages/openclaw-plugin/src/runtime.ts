// What the plugin's handlers and services run, imported on first use (`import('./runtime.ts')`),
// never by the entry: the scanners, the service, zod and the history. OpenClaw loads the entry in
// more than one plugin instance per gateway (the full one, and a discovery one for its model
// runtime, which only registers); only an instance that scans or answers loads this.
import { ALL_ADAPTERS } from '@ctd/scanners';
import {
  createTokenDiscoveryService,
  parseServiceConfig,
  ROTATION_STRATEGIES,
  type TokenDiscoveryService,
} from '@ctd/service';
import type { PluginApi } from './host-types.ts';
import { OpenClawImporter, openClawHost } from './importer.ts';
import type { RotationProviderStatus } from './rotation/index.ts';

export { startKeepAlive } from './background.ts';
export { ALL_ADAPTERS, parseServiceConfig, ROTATION_STRATEGIES };

/**
 * The plugin's service: its config, the gateway's environment and OpenClaw's auth profiles as the
 * import target.
 */
export function createPluginService(
  api: PluginApi,
  rotationStatus: () => Promise<RotationProviderStatus[]>,
): TokenDiscoveryService {
  return createTokenDiscoveryService({
    config: api.pluginConfig ?? {},
    // The gateway's own environment: HOME and the CLIs' overrides for scanning, CTD_*_BASE_URL and
    // proxies for validation. Only this module reads it; the network code lives in other chunks.
    env: process.env,
    importer: new OpenClawImporter(openClawHost(api.runtime?.config, api.config)),
    rotationStatus,
  });
}
