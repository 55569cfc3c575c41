import { toCtdError } from '@ctd/core';
import type { TokenDiscoveryService } from '@ctd/service';
import manifest from '../openclaw.plugin.json' with { type: 'json' };
import { registerCliCommands } from './cli.ts';
import type { PluginApi } from './host-types.ts';
import { PLUGIN_ID, PLUGIN_NAME } from './manifest.ts';
import { registerGatewayMethods } from './methods.ts';
import { type RotationHost, registerRotation } from './rotation/index.ts';
import { runtimeSync } from './runtime-sync.ts';
import { registerSettingsMethods } from './settings.ts';

const LOG_PREFIX = `[${PLUGIN_ID}]`;

// This entry only registers; the scanners, the service, zod and the history are in runtime.ts,
// imported when a handler or a service start first needs them. OpenClaw 2026.9.6 loads the entry
// in more than one plugin instance per gateway, each from its own copy of the files, so each with
// its own modules: the full instance, and one in "discovery" mode for its prepared model runtime,
// which only registers. Every module this file imports statically is paid once per instance.
const loadRuntime = () => import('./runtime.ts');

/**
 * Registers the plugin: the `tokenDiscovery.*` gateway methods, the `openclaw token-discovery`
 * commands and a startup service that scans in the background. `register` runs several times
 * (gateway, discovery, CLI metadata), so it only registers; the service is created on first use.
 */
function register(api: PluginApi): void {
  let service: Promise<TokenDiscoveryService> | undefined;
  const getService = (): Promise<TokenDiscoveryService> => {
    if (!service) {
      const loading = loadRuntime().then((r) => r.createPluginService(api, () => rotation.status()));
      service = loading;
      // A failed load is tried again by the next call rather than kept.
      loading.catch(() => {
        if (service === loading) service = undefined;
      });
    }
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
    () => ({ history: async () => (await getService()).history() }),
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

  let scanStarting: Promise<void> | undefined;
  let stopKeepAlive: (() => Promise<void>) | undefined;
  api.registerService({
    id: `${PLUGIN_ID}-startup-scan`,
    // Not awaited either: the gateway's readiness waits neither for loading the scanners nor for
    // the provider checks.
    start(ctx) {
      scanStarting = (async () => {
        const runtime = await loadRuntime();
        const parsed = runtime.parseServiceConfig(api.pluginConfig ?? {});
        if (!parsed.ok) {
          ctx.logger.error(`${LOG_PREFIX} invalid config, not scanning: ${parsed.issues.join('; ')}`);
          return;
        }
        for (const warning of parsed.warnings) ctx.logger.warn(`${LOG_PREFIX} ${warning}`);
        const scanner = await getService();
        // Watching, refreshing and expiry alerts (`watch`, `autoRefresh`), in the background. Its
        // first step subscribes to the service's scans, so the startup scan below feeds it.
        stopKeepAlive ??= runtime.startKeepAlive(scanner, process.env, ctx);
        if (!parsed.value.scanOnStartup) {
          ctx.logger.info(`${LOG_PREFIX} scanOnStartup is off`);
          return;
        }
        void scanner
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
      })().catch((error: unknown) => {
        const { code, message } = toCtdError(error);
        ctx.logger.error(`${LOG_PREFIX} startup scan did not start [${code}]: ${message}`);
      });
    },
    async stop() {
      await scanStarting; // a start still loading would start the keep-alive after the stop
      await stopKeepAlive?.();
      stopKeepAlive = undefined;
      await (await service?.catch(() => undefined))?.close();
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
  // From openclaw.plugin.json, which the build generates from the adapters and the zod schema
  // (manifest-build.ts; manifest.test.ts keeps the committed file in step).
  description: manifest.description,
  configSchema: {
    jsonSchema: manifest.configSchema,
    safeParse(value) {
      const r = runtimeSync().parseServiceConfig(value);
      return r.ok
        ? { success: true, data: r.value }
        : { success: false, error: { issues: r.issues.map((message) => ({ path: [], message })) } };
    },
  },
  register,
};

export default plugin;
