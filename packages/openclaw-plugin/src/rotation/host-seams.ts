// The one module that touches OpenClaw's auth selection. OpenClaw 2026.9.6 gives a third-party plugin
// no supported way to choose the auth profile of a turn: no hook carries the profile id, and the
// SDK's order writers (`setAuthProfileOrder`, …) are gone. What works, and is used here only:
// - the session entry's `authProfileOverride` / `authProfileOverrideSource` (read through
//   `runtime.agent.session.getSessionEntry`, written through `patchSessionEntry`, or right after a
//   turn through `updateSessionStoreEntry` without OpenClaw's session maintenance): OpenClaw reads
//   an "auto" pin once per turn and keeps it while it is usable (`resolveSessionAuthSelection`);
// - the auth store (`ensureAuthProfileStore` of plugin-sdk/provider-auth): `usageStats` (cooldowns, failure
//   counts) and `order`; `updateAuthProfileStoreWithLock` (plugin-sdk/provider-auth) writes
//   `order[provider]`, which beats `auth.order` in the config and decides new sessions;
// - `resolveAuthProfileOrder` (plugin-sdk/provider-auth): OpenClaw's own candidate order.
// `host-seams.test.ts` checks these against the installed OpenClaw and fails loudly when one moves.

/** OpenClaw's per-profile health (`usageStats[profileId]`), as far as rotation reads it. */
export interface ProfileUsageStats {
  lastUsed?: number;
  cooldownUntil?: number;
  cooldownReason?: string;
  cooldownModel?: string;
  disabledUntil?: number;
  disabledReason?: string;
  blockedUntil?: number;
  failureCounts?: Record<string, number>;
  lastFailureAt?: number;
}

/** One stored auth profile: only the fields rotation reads (the secret is hashed, never kept). */
export interface StoredAuthProfile {
  type?: string;
  provider?: string;
  key?: string;
  token?: string;
  access?: string;
}

/** The auth store as OpenClaw hands it out. */
export interface AuthStoreView {
  profiles: Record<string, StoredAuthProfile>;
  order?: Record<string, string[]>;
  usageStats?: Record<string, ProfileUsageStats>;
}

/** Where a session's pin came from (`auto`: OpenClaw or this plugin; `user`/`user-link`: a person). */
export type PinSource = 'auto' | 'user' | 'user-link';

/**
 * When a pin moves. `turn-end`: just after the session's turn, which OpenClaw has just written
 * (its last activity is now, and its session maintenance has just been kicked by that write).
 * `later`: at any other time, e.g. an idle session whose pick a cooldown overtook.
 */
export type PinMoment = 'turn-end' | 'later';

/** What `setAutoPin` did. */
export type PinOutcome = 'set' | 'unchanged' | 'user-pin' | 'no-session' | 'failed';

/** The host operations rotation needs. */
export interface HostSeams {
  /** The auth store (in memory in OpenClaw; committed writes are visible at once). */
  authStore(): AuthStoreView;
  /** OpenClaw's own order of a provider's profiles (cooling ones last), the preferred one first. */
  resolveOrder(store: AuthStoreView, provider: string, preferredProfile?: string): string[];
  /** A session's pin, or undefined when the session has none (or does not exist yet). */
  sessionPin(sessionKey: string): { profileId: string; source: PinSource } | undefined;
  /**
   * Moves a session's auto pin to `profileId` for its next turn; never touches a user's pin.
   * `turn-end`: the session's turn has just ended (see {@link PinMoment}).
   */
  setAutoPin(sessionKey: string, profileId: string, moment?: PinMoment): Promise<PinOutcome>;
  /** Sets `order[provider]` in the auth store (new sessions start on its first usable profile). */
  writeOrder(provider: string, profileIds: readonly string[]): Promise<boolean>;
}

/** The slice of `api.runtime` rotation uses (OpenClaw 2026.9.6). */
export interface RotationRuntime {
  config?: { current?(): unknown };
  agent?: {
    session?: {
      getSessionEntry?(params: { agentId?: string; sessionKey: string }): SessionEntryView | undefined;
      patchSessionEntry?(params: {
        agentId?: string;
        sessionKey: string;
        preserveActivity?: boolean;
        update: (entry: SessionEntryView) => Partial<SessionEntryView> | null;
      }): Promise<unknown>;
      /** Like `patchSessionEntry`, but can skip the session maintenance a write kicks (no `preserveActivity`). */
      updateSessionStoreEntry?(params: {
        storePath: string;
        sessionKey: string;
        skipMaintenance?: boolean;
        update: (entry: SessionEntryView) => Partial<SessionEntryView> | null;
      }): Promise<unknown>;
      /** The session store path of an agent (`session.store` of the config, or the default). */
      resolveStorePath?(store: string | undefined, options: { agentId: string }): string;
    };
  };
}

/** The session entry fields rotation reads and writes. */
export interface SessionEntryView {
  authProfileOverride?: string;
  authProfileOverrideSource?: string;
  authProfileOverrideCompactionCount?: number;
  compactionCount?: number;
}

/** What rotation uses of `openclaw/plugin-sdk/provider-auth`. */
export interface AuthSdk {
  ensureAuthProfileStore(agentDir?: string, options?: Record<string, unknown>): AuthStoreView;
  resolveAuthProfileOrder(params: {
    cfg?: unknown;
    store: AuthStoreView;
    provider: string;
    preferredProfile?: string;
  }): string[];
  updateAuthProfileStoreWithLock(params: { updater: (store: AuthStoreView) => boolean }): Promise<unknown>;
}

/** Loads `openclaw/plugin-sdk/provider-auth` (resolved by the gateway for plugin code). */
export function loadAuthSdk(): Promise<AuthSdk> {
  // A specifier in a variable: bundlers leave it alone, and the workspace need not install OpenClaw.
  return import(/* @vite-ignore */ 'openclaw/plugin-sdk/provider-auth' as string) as Promise<AuthSdk>;
}

/** The seams this module needs; named in the startup warning when one is missing. */
export const REQUIRED_SEAMS = [
  'runtime.agent.session.getSessionEntry',
  'runtime.agent.session.patchSessionEntry',
  'plugin-sdk/provider-auth ensureAuthProfileStore',
  'plugin-sdk/provider-auth resolveAuthProfileOrder',
  'plugin-sdk/provider-auth updateAuthProfileStoreWithLock',
] as const;

/** The agent a session key belongs to (`agent:<id>:…`), `main` otherwise. */
export function agentIdOf(sessionKey: string): string {
  const m = /^agent:([^:]+):/.exec(sessionKey);
  return m?.[1] ?? 'main';
}

/** Which seams the runtime lacks (an empty list when rotation can run). */
export function missingSeams(
  runtime: RotationRuntime | undefined,
  sdk: Partial<AuthSdk> | undefined,
): string[] {
  const missing: string[] = [];
  if (typeof runtime?.agent?.session?.getSessionEntry !== 'function') missing.push(REQUIRED_SEAMS[0]);
  if (typeof runtime?.agent?.session?.patchSessionEntry !== 'function') missing.push(REQUIRED_SEAMS[1]);
  if (typeof sdk?.ensureAuthProfileStore !== 'function') missing.push(REQUIRED_SEAMS[2]);
  if (typeof sdk?.resolveAuthProfileOrder !== 'function') missing.push(REQUIRED_SEAMS[3]);
  if (typeof sdk?.updateAuthProfileStoreWithLock !== 'function') missing.push(REQUIRED_SEAMS[4]);
  return missing;
}

/**
 * The host seams over OpenClaw's runtime. Call {@link missingSeams} first: this assumes they exist.
 *
 * @param runtime - `api.runtime`
 * @param sdk - `openclaw/plugin-sdk/provider-auth`
 */
export function createHostSeams(runtime: RotationRuntime, sdk: AuthSdk): HostSeams {
  const session = runtime.agent?.session as Required<
    NonNullable<NonNullable<RotationRuntime['agent']>['session']>
  >;
  const cfg = () => runtime.config?.current?.();
  return {
    authStore: () => sdk.ensureAuthProfileStore(undefined, { allowKeychainPrompt: false }),
    resolveOrder(store, provider, preferredProfile) {
      return sdk.resolveAuthProfileOrder({
        cfg: cfg(),
        store,
        provider,
        ...(preferredProfile ? { preferredProfile } : {}),
      });
    },
    sessionPin(sessionKey) {
      const entry = session.getSessionEntry({ agentId: agentIdOf(sessionKey), sessionKey });
      const profileId = entry?.authProfileOverride?.trim();
      if (!profileId) return undefined;
      const raw = entry?.authProfileOverrideSource;
      const source: PinSource = raw === 'user' || raw === 'user-link' ? raw : 'auto';
      return { profileId, source };
    },
    async setAutoPin(sessionKey, profileId, moment = 'later') {
      let outcome: PinOutcome = 'no-session';
      // Decided inside OpenClaw's commit: a pin a person set meanwhile is never overwritten.
      const update = (entry: SessionEntryView): Partial<SessionEntryView> | null => {
        const source = entry.authProfileOverrideSource;
        if (entry.authProfileOverride && (source === 'user' || source === 'user-link')) {
          outcome = 'user-pin';
          return null;
        }
        if (entry.authProfileOverride === profileId && source === 'auto') {
          outcome = 'unchanged';
          return null;
        }
        outcome = 'set';
        return {
          authProfileOverride: profileId,
          authProfileOverrideSource: 'auto',
          // OpenClaw resets an auto pin after a compaction unless the count matches.
          authProfileOverrideCompactionCount: entry.compactionCount ?? 0,
        };
      };
      const agentId = agentIdOf(sessionKey);
      try {
        if (moment === 'turn-end' && session.updateSessionStoreEntry && session.resolveStorePath) {
          // Every entry write through `patchSessionEntry` kicks OpenClaw's session maintenance, a pass
          // over the agent's sessions that cost the gateway ~30 ms of CPU per turn in the turn bench
          // (`npm run bench -- rotation-turn`). The turn's own write has just kicked it, so this one
          // skips it, as OpenClaw's own abort marks do. This path stamps the entry's activity with
          // now, which the turn that just ended already did.
          const store = (cfg() as { session?: { store?: unknown } } | undefined)?.session?.store;
          await session.updateSessionStoreEntry({
            storePath: session.resolveStorePath(typeof store === 'string' ? store : undefined, { agentId }),
            sessionKey,
            skipMaintenance: true,
            update,
          });
        } else {
          await session.patchSessionEntry({ agentId, sessionKey, preserveActivity: true, update });
        }
      } catch {
        return 'failed';
      }
      return outcome;
    },
    async writeOrder(provider, profileIds) {
      try {
        const r = await sdk.updateAuthProfileStoreWithLock({
          updater: (store) => {
            const current = store.order?.[provider];
            if (
              current &&
              current.length === profileIds.length &&
              current.every((id, i) => id === profileIds[i])
            )
              return false;
            store.order = { ...store.order, [provider]: [...profileIds] };
            return true;
          },
        });
        return r !== null;
      } catch {
        return false;
      }
    },
  };
}

/** Whether OpenClaw is cooling a profile down now (any window: cooldown, disabled, blocked). */
export function coolingUntil(stats: ProfileUsageStats | undefined, now: number): number | null {
  if (!stats) return null;
  let until = 0;
  for (const t of [stats.disabledUntil, stats.blockedUntil])
    if (typeof t === 'number' && t > until) until = t;
  // A model-scoped cooldown (e.g. a 429 on one model) is still a cooldown of the profile for that model;
  // rotation here is per provider, so it counts.
  if (typeof stats.cooldownUntil === 'number' && stats.cooldownUntil > until) until = stats.cooldownUntil;
  return until > now ? until : null;
}
