import { sha256Hex } from '@ctd/core/node';
import type { HistoryEntry, HistoryStore } from '@ctd/history';
import type { StoredAuthProfile } from './host-seams.ts';

/** The source recorded in the history for a profile this plugin did not import. */
export const OPENCLAW_SOURCE = 'openclaw';

/** One auth profile of a provider, as rotation and the history know it. */
export interface PoolMember {
  /** OpenClaw's profile id, e.g. `openai:work`. */
  readonly profileId: string;
  /** The history id: the imported credential's, or `openclaw:<profileId>` for the others. */
  readonly id: string;
  /** SHA-256 hex of the profile's key or token. */
  readonly hash: string;
  readonly provider: string;
  /** The credential's source (`openclaw` for profiles the plugin did not import). */
  readonly source: string;
  /** True when the history knew the key from a scan or import of this plugin. */
  readonly imported: boolean;
  /** Priority for the `priority` strategy (higher first). */
  priority: number;
}

function secretOf(profile: StoredAuthProfile): string | undefined {
  const s = profile.key ?? profile.token ?? profile.access;
  return typeof s === 'string' && s.length > 0 ? s : undefined;
}

/**
 * Maps auth profiles to history entries. The secret is hashed once per value (the profile's key
 * rarely changes), and the history's hash index is rebuilt only when entries are added or removed,
 * so a lookup on the hot path is two map reads.
 */
export class ProfileIndex {
  readonly #members = new Map<string, { secret: string; member: PoolMember }>();
  #byHash = new Map<string, HistoryEntry>();
  #revision = -1;

  /**
   * The member for a stored profile, creating its history entry when it has none.
   *
   * @param priority - the profile's priority (see `priorityOf`)
   */
  member(
    history: HistoryStore,
    profileId: string,
    profile: StoredAuthProfile | undefined,
    priority: number,
    now: number,
  ): PoolMember | undefined {
    if (!profile?.provider) return undefined;
    const secret = secretOf(profile);
    if (!secret) return undefined;
    const cached = this.#members.get(profileId);
    if (cached && cached.secret === secret && history.get(cached.member.id)) {
      cached.member.priority = priority;
      return cached.member;
    }
    if (this.#revision !== history.revision) {
      this.#byHash = new Map(history.list().map((e) => [e.hash, e]));
      this.#revision = history.revision;
    }
    const hash = sha256Hex(secret);
    const known = this.#byHash.get(hash);
    const member: PoolMember = known
      ? {
          profileId,
          id: known.id,
          hash,
          provider: profile.provider,
          source: known.source,
          imported: known.source !== OPENCLAW_SOURCE,
          priority,
        }
      : {
          profileId,
          id: `${OPENCLAW_SOURCE}:${profileId}`,
          hash,
          provider: profile.provider,
          source: OPENCLAW_SOURCE,
          imported: false,
          priority,
        };
    if (!known) history.ensure(member, now);
    this.#members.set(profileId, { secret, member });
    return member;
  }

  /** The member last seen for a profile id (no store read). */
  cached(profileId: string): PoolMember | undefined {
    return this.#members.get(profileId)?.member;
  }
}

/**
 * The history as the rotator sees it when deciding a pin: a pick is not a use (the request that
 * follows is counted when it starts), and picks not yet used count as uses, so that several
 * sessions deciding at once do not all land on the same least-used profile.
 */
export class DecisionView {
  readonly #inner: HistoryStore;
  readonly #pending = new Map<string, number>();
  readonly #views = new Map<string, HistoryEntry>();
  #version = 0;

  constructor(inner: HistoryStore) {
    this.#inner = inner;
  }

  /** Adds (or, negative, removes) decided-but-unused picks of a history id. */
  addPending(id: string, delta: number): void {
    const n = (this.#pending.get(id) ?? 0) + delta;
    if (n > 0) this.#pending.set(id, n);
    else this.#pending.delete(id);
    this.#version++;
  }

  /** Forgets every pending pick. */
  clearPending(): void {
    this.#pending.clear();
    this.#version++;
  }

  /** Decided-but-unused picks of a history id. */
  pending(id: string): number {
    return this.#pending.get(id) ?? 0;
  }

  #view(entry: HistoryEntry | undefined): HistoryEntry | undefined {
    if (!entry) return undefined;
    let view = this.#views.get(entry.id);
    if (!view) {
      const pending = this.#pending;
      view = new Proxy(entry, {
        get(target, prop, receiver) {
          if (prop === 'usageCount') return target.usageCount + (pending.get(target.id) ?? 0);
          return Reflect.get(target, prop, receiver);
        },
      });
      this.#views.set(entry.id, view);
    }
    return view;
  }

  /** The store the rotator is given. */
  store(): HistoryStore {
    const inner = this.#inner;
    const self = this;
    const view: HistoryStore & { readonly changes?: number | undefined } = {
      get location() {
        return inner.location;
      },
      get revision() {
        return inner.revision;
      },
      // The rotator re-reads its entries when this moves: on the history's changes and on ours.
      get changes() {
        const c = (inner as { changes?: number }).changes;
        return c === undefined ? undefined : c + self.#version;
      },
      get notices() {
        return inner.notices;
      },
      get pendingEvents() {
        return inner.pendingEvents;
      },
      get: (id) => self.#view(inner.get(id)),
      list: () => inner.list().map((e) => self.#view(e) as HistoryEntry),
      ensure: (ref, at) => self.#view(inner.ensure(ref, at)) as HistoryEntry,
      // A decision is not a use: the request it leads to is recorded when it starts.
      recordUse: () => {},
      recordResult: (id, r) => inner.recordResult(id, r),
      setCooldown: (id, c) => inner.setCooldown(id, c),
      setStatus: (id, s, r, at) => inner.setStatus(id, s, r, at),
      setNeeds: (id, n, r, at) => inner.setNeeds(id, n, r, at),
      recordValidation: (id, v) => inner.recordValidation(id, v),
      observe: (ref, s) => inner.observe(ref, s),
      flush: () => inner.flush(),
      transaction: (fn) => inner.transaction(fn),
      clear: (id) => inner.clear(id),
      exportJson: () => inner.exportJson(),
      close: async () => {},
    };
    return view;
  }
}
