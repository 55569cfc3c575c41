import { basename, dirname, join } from 'node:path';
import { withFlock } from '@ctd/core/node';
import { SourceCollector } from '../../collector.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import {
  KIMI_PROVIDERS,
  kimiPastedCandidates,
  kimiProviderFor,
  kimiRefreshSpecFor,
  scanKimiStore,
  writeBackKimiLogin,
} from '../_shared/kimi-store.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the kimi-cli adapter. */
export const KIMI_CLI_SOURCE = 'kimi-cli' as const;

/** How long kimi-cli itself waits for its flock (5 tries 1–2 s apart, then one more). */
const KIMI_LOCK_TIMEOUT_MS = 10_000;

function kimiShareDir(ctx: ScanContext): string {
  const override = ctx.env.KIMI_SHARE_DIR?.trim();
  return override ? override : join(ctx.home, '.kimi');
}

/**
 * kimi-cli (`MoonshotAI/kimi-cli`, the Python `kimi`): the Kimi Code login in
 * `$KIMI_SHARE_DIR/credentials/kimi-code.json`, API keys in the `config.toml` provider tables
 * (or a legacy `config.json` that kimi-cli has not migrated yet), and `KIMI_API_KEY`.
 */
export const kimiCliAdapter: SourceAdapter = {
  id: KIMI_CLI_SOURCE,
  displayName: 'Kimi CLI',
  aliases: ['kimi'],
  defaultPriority: 1,
  login: { command: 'kimi login', browserCommand: 'kimi login' },
  loginProvider: KnownProvider.kimi,
  providers: KIMI_PROVIDERS,
  recognizePasted: kimiPastedCandidates,
  loginHint:
    'run `kimi login` (Kimi Code), or add an API key to a [providers.<name>] table in ~/.kimi/config.toml',

  files(ctx): StoreFile[] {
    const home = kimiShareDir(ctx);
    return [
      { path: join(home, 'credentials', 'kimi-code.json'), format: 'json', holdsSecrets: true },
      { path: join(home, 'config.toml'), format: 'toml', holdsSecrets: true },
      { path: join(home, 'config.json'), format: 'json', holdsSecrets: true },
    ];
  },

  lockProtocol(ctx) {
    // kimi-cli refreshes under fcntl.flock(LOCK_EX|LOCK_NB) on this file; the kernel drops the
    // lock when its holder dies, so it never goes stale.
    return { kind: 'flock', lockPath: join(kimiShareDir(ctx), 'credentials', 'kimi-code.lock') };
  },

  async withLock(ctx, credential, fn) {
    const store = storePathOf(credential);
    const credentials = join(kimiShareDir(ctx), 'credentials');
    if (!store || dirname(store) !== credentials || !store.endsWith('.json')) {
      // Only the OAuth token files have a lock; config.toml is written without one.
      return withInProcessLock(store ?? KIMI_CLI_SOURCE, fn);
    }
    // `credentials/<name>.json` is refreshed under flock on `credentials/<name>.lock`. kimi-cli
    // tries for about 10 s (5 tries, 1–2 s apart) before giving up; so do we.
    return withFlock(
      join(credentials, `${basename(store, '.json')}.lock`),
      { timeoutMs: KIMI_LOCK_TIMEOUT_MS },
      fn,
    );
  },

  oauthRefresh: kimiRefreshSpecFor,

  async writeBack(ctx, credential, tokens) {
    await writeBackKimiLogin(ctx, kimiShareDir(ctx), credential, tokens);
  },

  async scan(ctx) {
    const out = new SourceCollector(kimiCliAdapter, ctx);
    await scanKimiStore(out, {
      home: kimiShareDir(ctx),
      legacyJsonConfig: true,
      keyringNote:
        'the login is in the OS keyring (service "kimi-code"), which this scan does not read; running `kimi` once moves it to the file',
    });

    // kimi-cli lets KIMI_API_KEY (and KIMI_BASE_URL) override every `kimi`-type provider table.
    const envKey = out.env('KIMI_API_KEY');
    if (envKey) {
      const baseUrl = ctx.env.KIMI_BASE_URL?.trim() || undefined;
      const provider = (baseUrl && kimiProviderFor('kimi', baseUrl)) || KnownProvider.kimi;
      out.found({
        provider,
        kind: 'api_key',
        label:
          provider === KnownProvider.moonshot
            ? 'Moonshot API key (KIMI_API_KEY)'
            : 'Kimi Code API key (KIMI_API_KEY)',
        secret: envKey,
        origin: { type: 'env', variable: 'KIMI_API_KEY' },
        baseUrl,
      });
      out.checked('$KIMI_API_KEY', 'found', 'set (overrides api_key of kimi-type providers)');
    }
    return out.result();
  },
};
