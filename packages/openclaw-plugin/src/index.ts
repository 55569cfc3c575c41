import { toCtdError } from '@ctd/core';
import { createTokenDiscoveryService, parseServiceConfig, type TokenDiscoveryService } from '@ctd/service';
import { startKeepAlive } from './background.ts';
import { registerCliCommands } from './cli.ts';
import type { PluginApi } from './host-types.ts';
import { OpenClawImporter, openClawHost } from './importer.ts';
import { configJsonSchema, PLUGIN_DESCRIPTION, PLUGIN_ID, PLUGIN_NAME } from './manifest.ts';
import { registerGatewayMethods } from './methods.ts';
import { type RotationHost, registerRotation } from './rotation/index.ts';
import { registerSettingsMethods } from './settings.ts';

const LOG_PREFIX = `[${PLUGIN_ID}]`;

/**
 * Registers the plugin: the `tokenDiscovery.*` gateway methods, the `openclaw token-discovery`
 * commands and a startup service that scans in the background. `register` runs several times
 * (gateway, discovery, CLI metadata), so it only registers; the service is created on first use.
 */
function register(api: PluginApi): void {
  let service: TokenDiscoveryService | undefined;
  const getService = (): TokenDiscoveryService => {
    service ??= createTokenDiscoveryService({
      config: api.pluginConfig ?? {},
      // The gateway's own environment: HOME and the CLIs' overrides for scanning, CTD_*_BASE_URL and
      // proxies for validation. Only this module reads it; the network code lives in other chunks.
      env: process.env,
      importer: new OpenClawImporter(openClawHost(api.runtime?.config, api.config)),
      rotationStatus: () => rotation.status(),
    });
    return service;
  };

  registerGatewayMethods(api, getService);
  registerSettingsMethods(api);
  registerCliCommands(api, getService);

  // Usage per request and the strategy driving OpenClaw's choice of profile (src/rotation/).
  const rotation = registerRotation(
    {
      on: api.on?.bind(api),
      config: api.config,
      pluginConfig: api.pluginConfig,
      runtime: api.runtime as RotationHost['runtime'],
      logger: api.logger,
    },
    getService,
  );
  let rotationStarting: Promise<void> | undefined;
  api.registerService({
    id: `${PLUGIN_ID}-rotation`,
    // Not awaited: OpenClaw waits for its services' starts before `/readyz`, and rotation's start
    // loads OpenClaw's auth SDK and runtime and opens the history (seconds on a busy machine).
    // A model call that comes first is kept until rotation runs (registerRotation's hooks).
    start: (ctx) => {
      rotationStarting = rotation.start(ctx.logger).catch((error: unknown) => {
        ctx.logger.error(`${LOG_PREFIX} rotation did not start: ${toCtdError(error).message}`);
      });
    },
    async stop() {
      await rotationStarting; // a start still running would set its timers after the stop
      await rotation.stop();
    },
  });

  let stopKeepAlive: (() => Promise<void>) | undefined;
  api.registerService({
    id: `${PLUGIN_ID}-startup-scan`,
    start(ctx) {
      const parsed = parseServiceConfig(api.pluginConfig ?? {});
      if (!parsed.ok) {
        ctx.logger.error(`${LOG_PREFIX} invalid config, not scanning: ${parsed.issues.join('; ')}`);
        return;
      }
      for (const warning of parsed.warnings) ctx.logger.warn(`${LOG_PREFIX} ${warning}`);
      // Watching, refreshing and expiry alerts (`watch`, `autoRefresh`), in the background.
      stopKeepAlive ??= startKeepAlive(getService(), process.env, ctx);
      if (!parsed.value.scanOnStartup) {
        ctx.logger.info(`${LOG_PREFIX} scanOnStartup is off`);
        return;
      }
      // In the background: the gateway's start must not wait for provider checks.
      void getService()
        .scan()
        .then((r) =>
          ctx.logger.info(
            `${LOG_PREFIX} startup scan: ${r.summary.found} found, ${r.summary.valid} valid, ${r.summary.imported} imported, ${r.summary.unchanged} unchanged, ${r.summary.skipped} skipped, ${r.summary.failed} failed (${r.durationMs} ms)`,
          ),
        )
        .catch((error: unknown) => {
          const { code, message } = toCtdError(error);
          ctx.logger.error(`${LOG_PREFIX} startup scan failed [${code}]: ${message}`);
        });
    },
    async stop() {
      await stopKeepAlive?.();
      stopKeepAlive = undefined;
      await service?.close();
    },
  });
}

/** The OpenClaw plugin entry (`openclaw.extensions: ["./dist/index.js"]`). */
const plugin: {
  id: string;
  name: string;
  description: string;
  configSchema: {
    jsonSchema: Record<string, unknown>;
    safeParse(value: unknown): {
      success: boolean;
      data?: unknown;
      error?: { issues: { path: string[]; message: string }[] };
    };
  };
  register(api: PluginApi): void;
} = {
  id: PLUGIN_ID,
  name: PLUGIN_NAME,
  description: PLUGIN_DESCRIPTION,
  configSchema: {
    jsonSchema: configJsonSchema(),
    safeParse(value) {
      const r = parseServiceConfig(value);
      return r.ok
        ? { success: true, data: r.value }
        : { success: false, error: { issues: r.issues.map((message) => ({ path: [], message })) } };
    },
  },
  register,
};

export default plugin;
