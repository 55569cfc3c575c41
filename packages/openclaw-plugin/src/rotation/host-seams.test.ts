// The loud test of the one module that relies on OpenClaw seams without a supported API
// (host-seams.ts). It reads the installed OpenClaw (scripts/openclaw-e2e-install.mjs puts the pinned
// version in .cache/openclaw-e2e) and fails, naming the seam, when a release moves one of them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type AuthSdk,
  agentIdOf,
  coolingUntil,
  createHostSeams,
  missingSeams,
  REQUIRED_SEAMS,
  type RotationRuntime,
  type SessionEntryView,
} from './host-seams.ts';

const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const OPENCLAW = join(ROOT, '.cache', 'openclaw-e2e', 'node_modules', 'openclaw');
const installed = existsSync(join(OPENCLAW, 'package.json'));

function distFiles(pattern: RegExp): string[] {
  return readdirSync(join(OPENCLAW, 'dist'))
    .filter((f) => pattern.test(f))
    .map((f) => readFileSync(join(OPENCLAW, 'dist', f), 'utf8'));
}

describe('host seams (pure parts)', () => {
  it('names every missing seam', () => {
    expect(missingSeams(undefined, undefined)).toEqual([...REQUIRED_SEAMS]);
    const fn = () => undefined;
    expect(
      missingSeams(
        { agent: { session: { getSessionEntry: fn, patchSessionEntry: async () => null } } },
        {
          ensureAuthProfileStore: fn as never,
          resolveAuthProfileOrder: fn as never,
          updateAuthProfileStoreWithLock: fn as never,
        },
      ),
    ).toEqual([]);
  });

  it('reads the agent of a session key and the end of a cooldown', () => {
    expect(agentIdOf('agent:helper:chat-1')).toBe('helper');
    expect(agentIdOf('chat-1')).toBe('main');
    expect(coolingUntil({ cooldownUntil: 2000 }, 1000)).toBe(2000);
    expect(coolingUntil({ cooldownUntil: 500, disabledUntil: 3000 }, 1000)).toBe(3000);
    expect(coolingUntil({ cooldownUntil: 500 }, 1000)).toBeNull();
    expect(coolingUntil(undefined, 1000)).toBeNull();
  });
});

/** A session store of one entry behind both of OpenClaw's write paths, recording each call. */
function sessionRuntime(entry: SessionEntryView, withUpdate = true) {
  const calls: { via: string; params: Record<string, unknown> }[] = [];
  const apply = (update: (e: SessionEntryView) => Partial<SessionEntryView> | null) => {
    const patch = update({ ...entry });
    if (patch) Object.assign(entry, patch);
  };
  const runtime: RotationRuntime = {
    config: { current: () => ({ session: { store: '/srv/openclaw/{agentId}/sessions.json' } }) },
    agent: {
      session: {
        getSessionEntry: () => entry,
        async patchSessionEntry({ update, ...params }) {
          calls.push({ via: 'patchSessionEntry', params });
          apply(update);
          return entry;
        },
        ...(withUpdate
          ? {
              async updateSessionStoreEntry({
                update,
                ...params
              }: {
                storePath: string;
                sessionKey: string;
                skipMaintenance?: boolean;
                update: (e: SessionEntryView) => Partial<SessionEntryView> | null;
              }) {
                calls.push({ via: 'updateSessionStoreEntry', params });
                apply(update);
                return entry;
              },
              resolveStorePath: (store: string | undefined, { agentId }: { agentId: string }) =>
                (store ?? '').replace('{agentId}', agentId),
            }
          : {}),
      },
    },
  };
  return { runtime, calls, entry };
}
const noSdk = {} as AuthSdk;

describe('setAutoPin: which OpenClaw write moves the pin', () => {
  it('right after a turn: updateSessionStoreEntry without session maintenance, on the agent store', async () => {
    const { runtime, calls, entry } = sessionRuntime({ authProfileOverride: 'openai:a', compactionCount: 2 });
    const seams = createHostSeams(runtime, noSdk);
    expect(await seams.setAutoPin('agent:helper:chat-1', 'openai:b', 'turn-end')).toBe('set');
    expect(calls).toEqual([
      {
        via: 'updateSessionStoreEntry',
        params: {
          storePath: '/srv/openclaw/helper/sessions.json',
          sessionKey: 'agent:helper:chat-1',
          skipMaintenance: true,
        },
      },
    ]);
    expect(entry).toMatchObject({
      authProfileOverride: 'openai:b',
      authProfileOverrideSource: 'auto',
      authProfileOverrideCompactionCount: 2,
    });
  });

  it("at any other time: patchSessionEntry keeping the session's last activity", async () => {
    const { runtime, calls } = sessionRuntime({ authProfileOverride: 'openai:a' });
    const seams = createHostSeams(runtime, noSdk);
    expect(await seams.setAutoPin('chat-1', 'openai:b')).toBe('set');
    expect(calls).toEqual([
      { via: 'patchSessionEntry', params: { agentId: 'main', sessionKey: 'chat-1', preserveActivity: true } },
    ]);
  });

  it('falls back to patchSessionEntry on an OpenClaw without updateSessionStoreEntry', async () => {
    const { runtime, calls } = sessionRuntime({ authProfileOverride: 'openai:a' }, false);
    expect(await createHostSeams(runtime, noSdk).setAutoPin('chat-1', 'openai:b', 'turn-end')).toBe('set');
    expect(calls.map((c) => c.via)).toEqual(['patchSessionEntry']);
  });

  it("never moves a person's pin, on either path", async () => {
    for (const moment of ['turn-end', 'later'] as const) {
      const { runtime, entry } = sessionRuntime({
        authProfileOverride: 'openai:a',
        authProfileOverrideSource: 'user',
      });
      expect(await createHostSeams(runtime, noSdk).setAutoPin('chat-1', 'openai:b', moment)).toBe('user-pin');
      expect(entry.authProfileOverride).toBe('openai:a');
    }
  });
});

describe.skipIf(!installed)(`the installed OpenClaw still has the seams rotation uses (${OPENCLAW})`, () => {
  it('plugin-sdk/provider-auth exports ensureAuthProfileStore, resolveAuthProfileOrder, updateAuthProfileStoreWithLock', () => {
    const sdk = readFileSync(join(OPENCLAW, 'dist', 'plugin-sdk', 'provider-auth.js'), 'utf8');
    const exported = /export\s*\{([^}]*)\}\s*;?\s*$/m.exec(sdk)?.[1] ?? '';
    const names = new Set(
      exported.split(',').map((x) =>
        x
          .trim()
          .split(/\s+as\s+/)
          .pop(),
      ),
    );
    for (const name of [
      'ensureAuthProfileStore',
      'resolveAuthProfileOrder',
      'updateAuthProfileStoreWithLock',
    ])
      expect(names.has(name), `plugin-sdk/provider-auth no longer exports ${name}`).toBe(true);
  });

  it('runtime.agent.session still offers getSessionEntry and patchSessionEntry', () => {
    const types = distFiles(/^agent-harness-runtime-.*\.d\.ts$/).join('\n');
    expect(types, 'runtime.agent.session.getSessionEntry').toMatch(
      /session: \{[^}]*getSessionEntry: \(params: RuntimeSessionStoreReadParams\)/s,
    );
    expect(types, 'runtime.agent.session.patchSessionEntry').toMatch(
      /patchSessionEntry: \(params: RuntimeSessionStoreEntryPatchParams\)/,
    );
    // The cheaper write right after a turn (falls back to patchSessionEntry without them).
    expect(types, 'runtime.agent.session.updateSessionStoreEntry').toMatch(
      /updateSessionStoreEntry: \(params: RuntimeSessionStoreEntryUpdateParams\)/,
    );
    expect(types, 'RuntimeSessionStoreEntryUpdateParams.skipMaintenance').toMatch(
      /type RuntimeSessionStoreEntryUpdateParams = \{[^}]*storePath: string;[^}]*skipMaintenance\?: boolean;/s,
    );
    expect(types, 'runtime.agent.session.resolveStorePath').toMatch(
      /resolveStorePath: typeof resolveSessionStorePathCore;/,
    );
    const runtimeJs = distFiles(/^runtime-.*\.mjs$/).join('\n');
    expect(runtimeJs, 'updateSessionStoreEntry passes skipMaintenance on').toMatch(
      /async function updateSessionStoreEntry\(params\) \{[^}]*\}, params\.update, \{\s*skipMaintenance: params\.skipMaintenance/s,
    );
    const accessor = distFiles(/^session-accessor\.sqlite-entry-.*\.mjs$/).join('\n');
    expect(accessor, 'a write skips the maintenance kick with skipMaintenance').toMatch(
      /function kickSessionEntryMaintenanceAfterWrite\(params\) \{\s*if \(params\.skipMaintenance\) return;/,
    );
  });

  it('OpenClaw still keeps an auto pin per session, never overrides a user pin, and reads the stored order', () => {
    const override = distFiles(/^session-override-.*\.mjs$/).join('\n');
    expect(override, 'resolveSessionAuthProfileOverride is gone').toContain(
      'async function resolveSessionAuthProfileOverride',
    );
    // A user pin wins over everything.
    expect(override).toMatch(/if \(\(source === "user" \|\| source === "user-link"\) && current\) return/);
    // A new session starts on the first usable profile of the order; an auto pin is written back as "auto".
    expect(override).toContain('authProfileOverrideSource: "auto"');
    expect(override).toMatch(/const pickAvailable = \(active\) =>/);
    const order = distFiles(/^order-.*\.mjs$/).join('\n');
    // The stored order (store.order[provider]) comes first.
    expect(order, 'resolveAuthProfileOrder no longer reads store.order').toContain('storeOrder: store.order');
    expect(order, 'the stored order no longer wins').toMatch(
      /const stored = findNormalizedProviderValue\(storeOrder/,
    );
  });

  it('before_model_resolve is still awaited with the run id before a run loads the store its profiles come from', () => {
    const setup = distFiles(/^setup-.*\.mjs$/).join('\n');
    expect(setup, 'before_model_resolve is no longer awaited').toContain(
      'await hookRunner.runBeforeModelResolve(event, params.hookContext)',
    );
    const runner = distFiles(/^embedded-agent-[^.]*\.mjs$/).join('\n');
    const hook = runner.indexOf('await resolveHookModelSelection({');
    const plan = runner.indexOf('await prepareEmbeddedRunAuthPlan({');
    expect(hook, 'the model-selection hooks moved').toBeGreaterThan(0);
    expect(plan, 'the run no longer prepares its auth plan after the model-selection hooks').toBeGreaterThan(
      hook,
    );
    // The hook context carries the run id (the key of the run's first model call).
    expect(runner).toMatch(/const hookCtx = \{\s*runId: params\.runId,/);
    // The first profile and each move after a failure skip what is cooling in that loaded store.
    expect(runner).toContain('isProfileInCooldown(params.authStore, candidate, void 0, modelId)');
  });

  it('model_call_started / model_call_ended still carry runId, callId, sessionKey, provider and outcome', () => {
    const events = distFiles(/^attempt\.model-diagnostic-events-.*\.mjs$/).join('\n');
    expect(events).toMatch(
      /function modelCallHookEventBase\(eventBase\) \{\s*return \{\s*runId: eventBase\.runId,\s*callId: eventBase\.callId,\s*\.\.\.eventBase\.sessionKey/,
    );
    expect(events).toContain('outcome: failure ? "error" : "completed"');
  });
});
