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
/**
 * At most one state-file write per this interval: the file is only for `status` in another process
 * (the CLI); a gateway's own status reads the engine. Not once per turn: each write also reads the
 * auth store.
 */
const STATE_WRITE_MS = 5000;
/** How often the picks a cooldown from the shared history overtook are looked for (see below). */
const OVERTAKEN_CHECK_MS = 250;

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

/** Rotation's state in this process (see `registerRotation`). */
interface SharedState {
  engine: RotationEngine | undefined;
  seams: HostSeams | undefined;
  history: HistoryStore | undefined;
  sdk: AuthSdk | undefined;
  statePath: string | undefined;
  stateTimer: NodeJS.Timeout | undefined;
  overtakenTimer: NodeJS.Timeout | undefined;
  problemLogged: boolean;
  queues: Map<string, Promise<void>>;
  starting: Promise<void> | undefined;
  buffer: (() => void)[];
  off: boolean;
}

// On `globalThis`, not in this module: OpenClaw may load the plugin's module more than once in the
// gateway (one registry for services, another whose hooks fire), and they must share one engine.
const SHARED_KEY = Symbol.for('@ctd/openclaw-plugin:rotation');
const globals = globalThis as Record<symbol, unknown>;
globals[SHARED_KEY] ??= {
  engine: undefined,
  seams: undefined,
  history: undefined,
  sdk: undefined,
  statePath: undefined,
  stateTimer: undefined,
  overtakenTimer: undefined,
  problemLogged: false,
  queues: new Map(),
  starting: undefined,
  buffer: [],
  off: false,
} satisfies SharedState;
const shared = globals[SHARED_KEY] as SharedState;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Registers per-request usage recording and the strategy driver on OpenClaw's hooks
 * (`model_call_started`, `model_call_ended`: no extra permission; `llm_output` for tokens in and
 * out and `before_model_resolve` for the cooldowns a run was prepared with: need
 * `hooks.allowConversationAccess`). Everything runs inside the hook handlers. OpenClaw does not await
 * the call hooks (fire and forget), so a decision never delays a request; it awaits
 * `before_model_resolve`, whose handler only notes the cooldowns (at most one auth-store read).
 */
export function registerRotation(
  api: HookApi & RotationHost,
  getService: () => Pick<TokenDiscoveryService, 'history'>,
): RotationHandle {
  // One per process: OpenClaw calls `register` several times (and may take the hooks from one
  // registration and start the services of another), so every registration shares this state.
  const S = shared;
  const loadSdk = api.loadSdk ?? loadAuthSdk;

  // Providers rotation drives: two profiles or more, one of them imported by this plugin. Cached
  // briefly: the check reads the auth store, and it runs on every finished call.
  const drivenCache = new Map<string, { at: number; driven: boolean }>();
  const driven = (provider: string): boolean => {
    const now = Date.now();
    const hit = drivenCache.get(provider);
    if (hit && now - hit.at < 5000) return hit.driven;
    const ids = Object.entries(S.seams?.authStore().profiles ?? {})
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
    if (S.problemLogged) return;
    S.problemLogged = true;
    api.logger.warn(`${LOG_PREFIX} rotation: ${message}`);
  };
  /** Decisions of one provider run one at a time, after the hook returned. */
  const serial = (provider: string, fn: () => Promise<void>) => {
    const next = (S.queues.get(provider) ?? Promise.resolve()).then(fn).catch((error: unknown) => {
      problem(toCtdError(error).message);
    });
    S.queues.set(provider, next);
  };
  const scheduleStateWrite = () => {
    if (S.stateTimer || !S.statePath || !S.engine) return;
    S.stateTimer = setTimeout(() => {
      S.stateTimer = undefined;
      if (!S.engine || !S.statePath || !S.seams) return;
      const ids = Object.keys(S.seams.authStore().profiles ?? {});
      void writeRotationState(S.statePath, S.engine, strategy(), ids).catch(() => {});
    }, STATE_WRITE_MS);
    S.stateTimer.unref?.();
  };
  const guard = (name: string, fn: (event: Record<string, unknown>) => void) => {
    const handler = (event: Record<string, unknown>) => {
      try {
        fn(event);
      } catch (error) {
        problem(`${name}: ${toCtdError(error).message}`);
      }
    };
    return (event: Record<string, unknown>) => {
      if (S.engine) {
        handler(event);
        return;
      }
      if (S.off) return;
      // No service started rotation in this process (OpenClaw may run agents where no plugin
      // service runs): start it here, and keep the calls until it runs (bounded).
      if (S.buffer.length < 10_000) S.buffer.push(() => handler(event));
      void startOnce(api.logger).catch((error: unknown) => problem(toCtdError(error).message));
    };
  };

  /** Starts rotation once per process (the service's start, or the first hook where none ran). */
  const startOnce = (logger: PluginLogger): Promise<void> => {
    S.starting ??= (async () => {
      try {
        S.sdk = await loadSdk();
      } catch {
        S.sdk = undefined;
      }
      const missing = missingSeams(api.runtime, S.sdk);
      if (missing.length > 0) {
        logger.warn(
          `${LOG_PREFIX} rotation is off: this OpenClaw lacks ${missing.join(', ')} (checked against 2026.9.6)`,
        );
        S.off = true;
        S.buffer.length = 0;
        return;
      }
      S.history = await getService().history();
      if (!S.history) {
        S.off = true;
        S.buffer.length = 0;
        return;
      }
      S.seams = createHostSeams(api.runtime as RotationRuntime, S.sdk as AuthSdk);
      S.engine = new RotationEngine({
        seams: S.seams,
        history: S.history,
        strategy,
        priorityOrder: (provider) => currentConfig().auth?.order?.[provider],
        onProblem: problem,
      });
      S.statePath = rotationStatePath(S.history);
      // New sessions start on the head of each driven provider's stored order.
      const store = S.seams.authStore();
      const providers = new Map<string, string[]>();
      for (const [id, p] of Object.entries(store.profiles ?? {})) {
        if (!p?.provider) continue;
        providers.set(p.provider, [...(providers.get(p.provider) ?? []), id]);
      }
      for (const [provider, ids] of providers) {
        if (ids.length >= 2 && ids.some((id) => id.includes(':ctd-')))
          serial(provider, () => (S.engine as RotationEngine).setHead(provider));
      }
      // A cooldown another gateway put into a shared history reaches this one at the history's next
      // read (about a second), unseen by this gateway's OpenClaw, which would still send the next new
      // session (or a session's next turn) to that profile: those picks are decided again at once.
      S.overtakenTimer ??= setInterval(() => {
        const eng = S.engine;
        if (!eng) return;
        for (const { provider, sessionKey } of eng.overtakenPicks()) {
          if (sessionKey) serial(provider, () => eng.pinNextTurn(sessionKey, provider));
          else serial(provider, () => eng.setHead(provider));
        }
      }, OVERTAKEN_CHECK_MS);
      S.overtakenTimer.unref?.();
      logger.info(`${LOG_PREFIX} rotation on: ${strategy()} over ${providers.size} provider(s)`);
      // Calls seen while starting, in order.
      for (const replay of S.buffer.splice(0)) replay();
    })().catch((error: unknown) => {
      S.starting = undefined;
      throw error;
    });
    return S.starting;
  };

  // Awaited by OpenClaw just before it resolves the session's profile and freezes the run's
  // candidates (needs `allowConversationAccess`, like `llm_output`): which profiles are cooling down
  // at that moment decides the run's first profile, not the moment its first call starts. Returns
  // nothing (no model or provider override); reads the auth store at most once (RotationEngine#store).
  api.on?.('before_model_resolve', (_event, ctx) => {
    const runId = str((ctx as { runId?: unknown } | undefined)?.runId);
    if (!runId || !S.engine) return;
    try {
      S.engine.runPrepared({ runId });
    } catch (error) {
      problem(`before_model_resolve: ${toCtdError(error).message}`);
    }
  });
  api.on?.(
    'model_call_started',
    guard('model_call_started', (e) => {
      const runId = str(e.runId);
      const callId = str(e.callId);
      const provider = str(e.provider);
      if (!runId || !callId || !provider || !S.engine) return;
      S.engine.callStarted({ runId, callId, sessionKey: str(e.sessionKey), provider });
      if (S.engine.headDue(provider) && driven(provider))
        serial(provider, () => (S.engine as RotationEngine).setHead(provider));
    }),
  );
  api.on?.(
    'model_call_ended',
    guard('model_call_ended', (e) => {
      const callId = str(e.callId);
      if (!callId || !S.engine) return;
      const ended = S.engine.callEnded({
        callId,
        outcome: str(e.outcome) ?? 'error',
        durationMs: typeof e.durationMs === 'number' ? e.durationMs : undefined,
      });
      if (!ended) return;
      const eng = S.engine;
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
      if (sessionKey && driven(provider))
        serial(provider, () => eng.pinNextTurn(sessionKey, provider, 'turn-end'));
      scheduleStateWrite();
    }),
  );
  api.on?.(
    'llm_output',
    guard('llm_output', (e) => {
      const runId = str(e.runId);
      const usage = e.usage as { input?: number; output?: number } | undefined;
      if (runId) S.engine?.llmOutput({ runId, usage });
    }),
  );

  return {
    get engine() {
      return S.engine;
    },
    start(logger) {
      return startOnce(logger);
    },
    async status() {
      let authSdk = S.sdk;
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
        history: S.history ?? (await getService().history()),
        order: (provider) => authSdk.resolveAuthProfileOrder({ cfg, store, provider }),
        strategy: strategy(),
        engine: S.engine,
      });
    },
    async stop() {
      if (S.stateTimer) clearTimeout(S.stateTimer);
      S.stateTimer = undefined;
      if (S.overtakenTimer) clearInterval(S.overtakenTimer);
      S.overtakenTimer = undefined;
      if (S.engine && S.statePath && S.seams) {
        await writeRotationState(
          S.statePath,
          S.engine,
          strategy(),
          Object.keys(S.seams.authStore().profiles ?? {}),
        ).catch(() => {});
      }
      await Promise.allSettled([...S.queues.values()]);
      // The history closes with the service; a reload starts afresh.
      S.engine = undefined;
      S.seams = undefined;
      S.history = undefined;
      S.starting = undefined;
    },
  };
}
