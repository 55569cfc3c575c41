import { toCtdError } from '@ctd/core';
import type { HistoryStore } from '@ctd/history';
import type { Strategy } from '@ctd/rotator';
import type { TokenDiscoveryService } from '@ctd/service';
import type { HostConfig, PluginLogger } from '../host-types.ts';
import { PLUGIN_ID } from '../manifest.ts';
import { RotationEngine, toStrategy } from './engine.ts';
import {
  type AuthSdk,
  createHostSeams,
  type HostSeams,
  loadAuthSdk,
  missingSeams,
  type RotationRuntime,
} from './host-seams.ts';
import {
  type RotationProviderStatus,
  rotationStatePath,
  rotationStatus,
  writeRotationState,
} from './status.ts';

export type { RotationProfileStatus, RotationProviderStatus } from './status.ts';

const LOG_PREFIX = `[${PLUGIN_ID}]`;
/** How long a failed call's verdict is given to land in OpenClaw's store before it is read. */
const SETTLE_MS = 300;
/** At most one state-file write per this interval. */
const STATE_WRITE_MS = 1000;

/** The hooks of OpenClaw's plugin API rotation subscribes to. */
export interface HookApi {
  on?(hookName: string, handler: (event: Record<string, unknown>, ctx?: unknown) => unknown): void;
}

/** What {@link registerRotation} needs from the plugin. */
export interface RotationHost {
  pluginConfig?: Record<string, unknown> | undefined;
  config: HostConfig;
  runtime?: (RotationRuntime & { config?: { current?(): HostConfig } }) | undefined;
  logger: PluginLogger;
  /** Loads `openclaw/plugin-sdk/provider-auth` (tests pass a double). */
  loadSdk?: (() => Promise<AuthSdk>) | undefined;
}

/** Rotation as the plugin runs it. */
export interface RotationHandle {
  /** Starts rotation in the gateway (opens the history, checks the host seams, sets the heads). */
  start(logger: PluginLogger): Promise<void>;
  /** The rotation part of `status`, in any process (the CLI's reads the state a gateway wrote). */
  status(): Promise<RotationProviderStatus[]>;
  /** The running engine, once started. */
  readonly engine: RotationEngine | undefined;
  stop(): Promise<void>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Registers per-request usage recording and the strategy driver on OpenClaw's hooks
 * (`model_call_started`, `model_call_ended`: no extra permission; `llm_output` for tokens in and
 * out: needs `hooks.allowConversationAccess`). Everything runs inside the hook handlers, which
 * OpenClaw does not await (fire and forget): a decision never delays a request.
 */
export function registerRotation(
  api: HookApi & RotationHost,
  getService: () => TokenDiscoveryService,
): RotationHandle {
  let engine: RotationEngine | undefined;
  let seams: HostSeams | undefined;
  let history: HistoryStore | undefined;
  let sdk: AuthSdk | undefined;
  let statePath: string | undefined;
  let stateTimer: NodeJS.Timeout | undefined;
  let problemLogged = false;
  const queues = new Map<string, Promise<void>>();
  const loadSdk = api.loadSdk ?? loadAuthSdk;

  // Providers rotation drives: two profiles or more, one of them imported by this plugin. Cached
  // briefly: the check reads the auth store, and it runs on every finished call.
  const drivenCache = new Map<string, { at: number; driven: boolean }>();
  const driven = (provider: string): boolean => {
    const now = Date.now();
    const hit = drivenCache.get(provider);
    if (hit && now - hit.at < 5000) return hit.driven;
    const ids = Object.entries(seams?.authStore().profiles ?? {})
      .filter(([, p]) => p?.provider === provider)
      .map(([id]) => id);
    const yes = ids.length >= 2 && ids.some((id) => id.includes(':ctd-'));
    drivenCache.set(provider, { at: now, driven: yes });
    return yes;
  };
  const currentConfig = (): HostConfig =>
    (api.runtime?.config?.current?.() as HostConfig | undefined) ?? api.config;
  const strategy = (): Strategy => {
    const live = currentConfig().plugins?.entries?.[PLUGIN_ID]?.config as
      | { rotationStrategy?: unknown }
      | undefined;
    return toStrategy(live?.rotationStrategy ?? api.pluginConfig?.rotationStrategy);
  };
  const problem = (message: string) => {
    // Once per process: a failing seam must not flood the gateway log on every request.
    if (problemLogged) return;
    problemLogged = true;
    api.logger.warn(`${LOG_PREFIX} rotation: ${message}`);
  };
  /** Decisions of one provider run one at a time, after the hook returned. */
  const serial = (provider: string, fn: () => Promise<void>) => {
    const next = (queues.get(provider) ?? Promise.resolve()).then(fn).catch((error: unknown) => {
      problem(toCtdError(error).message);
    });
    queues.set(provider, next);
  };
  const scheduleStateWrite = () => {
    if (stateTimer || !statePath || !engine) return;
    stateTimer = setTimeout(() => {
      stateTimer = undefined;
      if (!engine || !statePath || !seams) return;
      const ids = Object.keys(seams.authStore().profiles ?? {});
      void writeRotationState(statePath, engine, strategy(), ids).catch(() => {});
    }, STATE_WRITE_MS);
    stateTimer.unref?.();
  };
  const guard =
    (name: string, fn: (event: Record<string, unknown>) => void) => (event: Record<string, unknown>) => {
      if (!engine) return;
      try {
        fn(event);
      } catch (error) {
        problem(`${name}: ${toCtdError(error).message}`);
      }
    };

  api.on?.(
    'model_call_started',
    guard('model_call_started', (e) => {
      const runId = str(e.runId);
      const callId = str(e.callId);
      const provider = str(e.provider);
      if (!runId || !callId || !provider || !engine) return;
      engine.callStarted({ runId, callId, sessionKey: str(e.sessionKey), provider });
      if (engine.headDue(provider) && driven(provider))
        serial(provider, () => (engine as RotationEngine).setHead(provider));
    }),
  );
  api.on?.(
    'model_call_ended',
    guard('model_call_ended', (e) => {
      const callId = str(e.callId);
      if (!callId || !engine) return;
      const ended = engine.callEnded({
        callId,
        outcome: str(e.outcome) ?? 'error',
        durationMs: typeof e.durationMs === 'number' ? e.durationMs : undefined,
      });
      if (!ended) return;
      const eng = engine;
      if (!ended.ok) {
        // OpenClaw records the failure and its cooldown after this hook fires.
        setTimeout(() => {
          try {
            eng.settleFailure(ended);
            if (eng.head(ended.provider) === ended.member.profileId)
              serial(ended.provider, () => eng.setHead(ended.provider));
          } catch (error) {
            problem(toCtdError(error).message);
          }
          scheduleStateWrite();
        }, SETTLE_MS).unref?.();
        return;
      }
      const { sessionKey, provider } = ended;
      if (sessionKey && driven(provider)) serial(provider, () => eng.pinNextTurn(sessionKey, provider));
      scheduleStateWrite();
    }),
  );
  api.on?.(
    'llm_output',
    guard('llm_output', (e) => {
      const runId = str(e.runId);
      const usage = e.usage as { input?: number; output?: number } | undefined;
      if (runId) engine?.llmOutput({ runId, usage });
    }),
  );

  return {
    get engine() {
      return engine;
    },
    async start(logger) {
      try {
        sdk = await loadSdk();
      } catch {
        sdk = undefined;
      }
      const missing = missingSeams(api.runtime, sdk);
      if (missing.length > 0) {
        logger.warn(
          `${LOG_PREFIX} rotation is off: this OpenClaw lacks ${missing.join(', ')} (checked against 2026.9.6)`,
        );
        return;
      }
      history = await getService().history();
      if (!history) return;
      seams = createHostSeams(api.runtime as RotationRuntime, sdk as AuthSdk);
      engine = new RotationEngine({
        seams,
        history,
        strategy,
        priorityOrder: (provider) => currentConfig().auth?.order?.[provider],
        onProblem: problem,
      });
      statePath = rotationStatePath(history);
      // New sessions start on the head of each driven provider's stored order.
      const store = seams.authStore();
      const providers = new Map<string, string[]>();
      for (const [id, p] of Object.entries(store.profiles ?? {})) {
        if (!p?.provider) continue;
        providers.set(p.provider, [...(providers.get(p.provider) ?? []), id]);
      }
      for (const [provider, ids] of providers) {
        if (ids.length >= 2 && ids.some((id) => id.includes(':ctd-')))
          serial(provider, () => (engine as RotationEngine).setHead(provider));
      }
      logger.info(`${LOG_PREFIX} rotation on: ${strategy()} over ${providers.size} provider(s)`);
    },
    async status() {
      let authSdk = sdk;
      if (!authSdk) {
        try {
          authSdk = await loadSdk();
        } catch {
          return [];
        }
      }
      if (typeof authSdk?.ensureAuthProfileStore !== 'function') return [];
      const store = authSdk.ensureAuthProfileStore(undefined, { readOnly: true, allowKeychainPrompt: false });
      const cfg = currentConfig();
      return rotationStatus({
        store,
        history: history ?? (await getService().history()),
        order: (provider) => authSdk.resolveAuthProfileOrder({ cfg, store, provider }),
        strategy: strategy(),
        engine,
      });
    },
    async stop() {
      if (stateTimer) clearTimeout(stateTimer);
      stateTimer = undefined;
      if (engine && statePath && seams) {
        await writeRotationState(
          statePath,
          engine,
          strategy(),
          Object.keys(seams.authStore().profiles ?? {}),
        ).catch(() => {});
      }
      await Promise.allSettled([...queues.values()]);
    },
  };
}
