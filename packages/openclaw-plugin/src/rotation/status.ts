import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256Hex, writeFileAtomic } from '@ctd/core/node';
import type { HistoryStore } from '@ctd/history';
import type { Strategy } from '@ctd/rotator';
import type { PickExplanation, ProfileTally, RotationEngine } from './engine.ts';
import { type AuthStoreView, coolingUntil } from './host-seams.ts';
import { OPENCLAW_SOURCE } from './pool.ts';

/** One profile of a provider in the rotation status. */
export interface RotationProfileStatus {
  profileId: string;
  /** The history id (an imported credential's id, or `openclaw:<profileId>`). */
  credentialId: string;
  imported: boolean;
  /** Requests served (usage count in the shared history). */
  requests: number;
  /** Its share of the provider's requests (0..1). */
  share: number;
  successes: number;
  failures: number;
  consecutiveFailures: number;
  /** OpenClaw's failure counts by reason (rate_limit, auth, billing, …). */
  failuresByKind: Record<string, number>;
  tokensIn: number;
  tokensOut: number;
  lastUsed: string | null;
  /** `cooling`: OpenClaw is cooling it down; `failing`: failed since its last success; else `ok`. */
  health: 'ok' | 'failing' | 'cooling';
  cooldownUntil: string | null;
  cooldownReason: string | null;
  /** Requests attributed to it that OpenClaw chose it for while it had it in cooldown (this gateway; should be 0). */
  requestsInCooldown: number;
}

/** One provider in the rotation status. */
export interface RotationProviderStatus {
  provider: string;
  strategy: string;
  /** OpenClaw's current order for the provider (the stored order, cooling profiles last). */
  order: string[];
  profiles: RotationProfileStatus[];
  /** The last pick and why it was made, or null before the first. */
  lastPick: { profileId: string; target: string; reason: string; at: string } | null;
}

/** What a gateway keeps on disk for `openclaw token-discovery status` in another process. */
interface RotationStateFile {
  version: 1;
  updatedAt: string;
  strategy: string;
  lastPicks: Record<string, PickExplanation>;
  tallies: Record<string, ProfileTally>;
}

/** The state file beside the history file. */
export function rotationStatePath(history: HistoryStore): string | undefined {
  const loc = history.location;
  return loc.startsWith('/') || /^[A-Za-z]:[\\/]/.test(loc)
    ? join(dirname(loc), 'cli-token-rotation.json')
    : undefined;
}

/** Writes the state file (a gateway's last picks and tallies); best effort. */
export async function writeRotationState(
  path: string,
  engine: RotationEngine,
  strategy: Strategy,
  profileIds: readonly string[],
): Promise<void> {
  const state: RotationStateFile = {
    version: 1,
    updatedAt: new Date().toISOString(),
    strategy,
    lastPicks: Object.fromEntries(
      engine
        .providers()
        .map((p) => [p, engine.lastPick(p)] as const)
        .filter((x): x is [string, PickExplanation] => x[1] !== undefined),
    ),
    tallies: Object.fromEntries(profileIds.map((id) => [id, engine.tally(id)])),
  };
  await writeFileAtomic(path, `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

async function readState(path: string | undefined): Promise<RotationStateFile | undefined> {
  if (!path) return undefined;
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as RotationStateFile;
    return parsed?.version === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Inputs of {@link rotationStatus}. */
export interface RotationStatusInput {
  store: AuthStoreView;
  history: HistoryStore | undefined;
  /** OpenClaw's order for a provider. */
  order(provider: string): string[];
  strategy: string;
  /** The running engine (in the gateway), else the state file a gateway wrote is read. */
  engine?: RotationEngine | undefined;
  now?: number | undefined;
}

const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/**
 * Per provider: the strategy, OpenClaw's order, each profile's requests and share, its health and
 * cooldown (OpenClaw's), and why the last pick was made. Reads only; no secret (profile ids, hashes
 * of keys are matched in memory and never returned).
 */
export async function rotationStatus(input: RotationStatusInput): Promise<RotationProviderStatus[]> {
  const now = input.now ?? Date.now();
  const { store, history, engine } = input;
  const state = engine ? undefined : await readState(history ? rotationStatePath(history) : undefined);
  const byProvider = new Map<string, string[]>();
  for (const [id, p] of Object.entries(store.profiles ?? {})) {
    if (!p?.provider) continue;
    const list = byProvider.get(p.provider) ?? [];
    list.push(id);
    byProvider.set(p.provider, list);
  }
  const entries = new Map(history?.list().map((e) => [e.id, e]) ?? []);
  const byHash = new Map(
    [...entries.values()].filter((e) => e.source !== OPENCLAW_SOURCE).map((e) => [e.hash, e]),
  );
  const out: RotationProviderStatus[] = [];
  for (const [provider, ids] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
    // Providers rotation drives: more than one profile, one of them imported by this plugin.
    if (ids.length < 2 || !ids.some((id) => id.includes(':ctd-'))) continue;
    const order = input.order(provider);
    const rows = order.map((profileId) => {
      // Matched by the key's hash in memory (status writes nothing, not even a history entry).
      const secret = store.profiles[profileId]?.key ?? store.profiles[profileId]?.token;
      const known = secret ? byHash.get(sha256Hex(secret)) : undefined;
      const credentialId = known?.id ?? `${OPENCLAW_SOURCE}:${profileId}`;
      const e = known ?? entries.get(credentialId);
      const stats = store.usageStats?.[profileId];
      const cooling = coolingUntil(stats, now);
      const tally = engine ? engine.tally(profileId) : state?.tallies[profileId];
      return {
        profileId,
        credentialId,
        imported: known !== undefined && known.source !== OPENCLAW_SOURCE,
        requests: e?.usageCount ?? 0,
        share: 0,
        successes: e?.successes ?? 0,
        failures: e?.failures ?? 0,
        consecutiveFailures: e?.consecutiveFailures ?? 0,
        failuresByKind: { ...stats?.failureCounts },
        tokensIn: tally?.tokensIn ?? 0,
        tokensOut: tally?.tokensOut ?? 0,
        lastUsed: iso(e?.lastUsed ?? stats?.lastUsed),
        health: cooling !== null ? 'cooling' : (e?.consecutiveFailures ?? 0) > 0 ? 'failing' : 'ok',
        cooldownUntil: iso(cooling),
        cooldownReason: cooling !== null ? (stats?.cooldownReason ?? stats?.disabledReason ?? null) : null,
        requestsInCooldown: tally?.requestsInCooldown ?? 0,
      } satisfies RotationProfileStatus;
    });
    const total = rows.reduce((n, r) => n + r.requests, 0);
    for (const r of rows) r.share = total > 0 ? Math.round((r.requests / total) * 1000) / 1000 : 0;
    const pick = engine ? engine.lastPick(provider) : state?.lastPicks[provider];
    out.push({
      provider,
      strategy: engine ? input.strategy : (state?.strategy ?? input.strategy),
      order,
      profiles: rows,
      lastPick: pick
        ? {
            profileId: pick.profileId,
            target: pick.target,
            reason: pick.reason,
            at: new Date(pick.at).toISOString(),
          }
        : null,
    });
  }
  return out;
}
