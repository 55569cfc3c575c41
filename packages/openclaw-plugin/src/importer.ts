import type { CredentialImporter, ImportAction, ImportHostFacts } from '@ctd/service';
import type { HostConfig, RuntimeConfigApi } from './host-types.ts';

type StoredProfile = {
  type?: string;
  provider?: string;
  key?: string;
  token?: string;
  expires?: number;
  email?: string;
  accountId?: string;
};
type ProfileStore = { profiles: Record<string, StoredProfile> };

interface ProviderAuthSdk {
  ensureAuthProfileStore(agentDir?: string, options?: { config?: unknown; readOnly?: boolean }): ProfileStore;
  upsertAuthProfileWithLock(params: {
    profileId: string;
    credential: Record<string, unknown>;
  }): Promise<ProfileStore | null>;
  applyAuthProfileConfig(
    cfg: HostConfig,
    params: {
      profileId: string;
      provider: string;
      mode: string;
      email?: string;
      displayName?: string;
      preferProfileFirst?: boolean;
    },
  ): HostConfig;
}

interface CatalogSdk {
  resolveOwningPluginIdsForProvider(params: {
    provider: string;
    config: unknown;
  }): string[] | undefined | null;
}

/** Where the importer gets OpenClaw's SDK and config from (the real host, or a test double). */
export interface OpenClawHost {
  providerAuth(): Promise<ProviderAuthSdk>;
  catalog(): Promise<CatalogSdk>;
  config: RuntimeConfigApi | undefined;
  /** The config as loaded at registration, used when `config.current` is missing. */
  fallbackConfig: HostConfig;
}

/** The real host: OpenClaw's plugin SDK subpaths, resolved by the gateway for plugin code. */
export function openClawHost(config: RuntimeConfigApi | undefined, fallbackConfig: HostConfig): OpenClawHost {
  return {
    // Specifiers in variables: bundlers must leave them alone, and the workspace need not install OpenClaw.
    providerAuth: () =>
      import(/* @vite-ignore */ 'openclaw/plugin-sdk/provider-auth' as string) as Promise<ProviderAuthSdk>,
    catalog: () =>
      import(
        /* @vite-ignore */ 'openclaw/plugin-sdk/provider-catalog-runtime' as string
      ) as Promise<CatalogSdk>,
    config,
    fallbackConfig,
  };
}

function pluginEnabled(config: HostConfig, pluginId: string): boolean {
  const plugins = config.plugins;
  if (plugins?.enabled === false) return false;
  if (plugins?.deny?.includes(pluginId)) return false;
  if (plugins?.allow && plugins.allow.length > 0 && !plugins.allow.includes(pluginId)) return false;
  return plugins?.entries?.[pluginId]?.enabled !== false;
}

function sameCredential(stored: StoredProfile | undefined, wanted: Record<string, unknown>): boolean {
  if (!stored || stored.type !== wanted.type || stored.provider !== wanted.provider) return false;
  if (wanted.type === 'api_key') return stored.key === wanted.key;
  return (
    stored.token === wanted.token &&
    (stored.expires ?? null) === ((wanted.expires as number | undefined) ?? null)
  );
}

/**
 * The providers OpenClaw can use, asked per provider on first `has`: each answer is one walk of
 * OpenClaw's plugin catalog (tens of ms, more on a busy gateway), and a scan asks only about the
 * providers of the logins it found, not every provider there is. Only `has` is meaningful:
 * iterating lists the providers answered so far.
 */
class ProviderAvailability extends Set<string> {
  readonly #catalog: CatalogSdk;
  readonly #config: HostConfig;
  readonly #answered = new Map<string, boolean>();

  constructor(catalog: CatalogSdk, config: HostConfig) {
    super();
    this.#catalog = catalog;
    this.#config = config;
  }

  override has(provider: string): boolean {
    let available = this.#answered.get(provider);
    if (available === undefined) {
      try {
        const owners = this.#catalog.resolveOwningPluginIdsForProvider({ provider, config: this.#config });
        available = Boolean(
          owners && owners.length > 0 && owners.some((id) => pluginEnabled(this.#config, id)),
        );
      } catch {
        available = true; // Cannot tell: let the write decide.
      }
      this.#answered.set(provider, available);
      if (available) super.add(provider);
    }
    return available;
  }
}

/**
 * Imports into OpenClaw through its plugin SDK, never its storage files: the profile with
 * `upsertAuthProfileWithLock`, then the config's `auth.profiles` entry (`applyAuthProfileConfig`)
 * so OpenClaw actually uses it. CLI logins arrive as `token` profiles, never `oauth`: OpenClaw can
 * use them but cannot spend the CLI's single-use refresh token. Idempotent: an identical profile
 * already in place is left alone and reported `unchanged`.
 */
export class OpenClawImporter implements CredentialImporter {
  readonly #host: OpenClawHost;

  constructor(host: OpenClawHost) {
    this.#host = host;
  }

  #config(): HostConfig {
    return this.#host.config?.current?.() ?? this.#host.fallbackConfig;
  }

  /** Providers with an enabled OpenClaw provider plugin, and the logins OpenClaw already holds itself. */
  async hostFacts(): Promise<ImportHostFacts> {
    const config = this.#config();
    let availableProviders: ReadonlySet<string> | null;
    try {
      availableProviders = new ProviderAvailability(await this.#host.catalog(), config);
    } catch {
      availableProviders = null; // Cannot tell: let the write decide.
    }
    const reusedAccounts = new Set<string>();
    const sdk = await this.#host.providerAuth();
    const store = sdk.ensureAuthProfileStore(undefined, { config, readOnly: true });
    for (const [id, profile] of Object.entries(store.profiles ?? {})) {
      // Logins OpenClaw holds on its own (e.g. a login it bootstrapped itself) are not imported twice.
      if (id.includes(':ctd-') || (profile.type !== 'oauth' && profile.type !== 'token')) continue;
      for (const account of [profile.accountId, profile.email]) {
        if (account && profile.provider) reusedAccounts.add(`${profile.provider}:${account}`);
      }
    }
    return { availableProviders, reusedAccounts };
  }

  /**
   * Puts our profiles first in `auth.order.<provider>`, in the given order, keeping the user's
   * other profiles for that provider after them. Writes nothing when the order is already so.
   */
  async setOrder(provider: string, profileIds: readonly string[]): Promise<void> {
    const sdk = await this.#host.providerAuth();
    const config = this.#config();
    const store = sdk.ensureAuthProfileStore(undefined, { config, readOnly: true });
    const current = config.auth?.order?.[provider];
    const others = (
      current ?? Object.keys(store.profiles ?? {}).filter((id) => store.profiles[id]?.provider === provider)
    ).filter((id) => !profileIds.includes(id));
    const wanted = [...profileIds, ...others];
    if (current && current.length === wanted.length && current.every((id, i) => id === wanted[i])) return;
    if (!this.#host.config) throw new Error('OpenClaw offers no config writer to this plugin');
    await this.#host.config.mutateConfigFile({
      afterWrite: { mode: 'auto' },
      mutate: (draft) => {
        draft.auth = { ...draft.auth, order: { ...draft.auth?.order, [provider]: wanted } };
      },
    });
  }

  /** Writes one profile and its config entry; `unchanged` when both are already in place. */
  async apply(action: ImportAction, secret: string): Promise<'imported' | 'unchanged'> {
    const sdk = await this.#host.providerAuth();
    const credential: Record<string, unknown> =
      action.mode === 'api_key'
        ? { type: 'api_key', provider: action.provider, key: secret, displayName: action.displayName }
        : {
            type: 'token',
            provider: action.provider,
            token: secret,
            ...(action.expiresAtMs !== undefined ? { expires: action.expiresAtMs } : {}),
            displayName: action.displayName,
          };
    if (action.email) credential.email = action.email;
    const config = this.#config();
    const store = sdk.ensureAuthProfileStore(undefined, { config, readOnly: true });
    const storedSame = sameCredential(store.profiles?.[action.profileId], credential);
    const configured = config.auth?.profiles?.[action.profileId]?.mode === action.mode;
    if (storedSame && configured) return 'unchanged';
    if (!storedSame) {
      const written = await sdk.upsertAuthProfileWithLock({ profileId: action.profileId, credential });
      if (written === null) throw new Error(`OpenClaw did not store auth profile ${action.profileId}`);
    }
    if (!configured) {
      if (!this.#host.config) throw new Error('OpenClaw offers no config writer to this plugin');
      await this.#host.config.mutateConfigFile({
        afterWrite: { mode: 'auto' },
        mutate: (draft) => {
          const next = sdk.applyAuthProfileConfig(draft, {
            profileId: action.profileId,
            provider: action.provider,
            mode: action.mode,
            displayName: action.displayName,
            preferProfileFirst: false,
            ...(action.email ? { email: action.email } : {}),
          });
          draft.auth = next.auth;
        },
      });
    }
    return 'imported';
  }
}
