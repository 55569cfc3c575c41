import { join } from 'node:path';
import { SourceCollector } from '../../collector.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import {
  KIMI_PROVIDERS,
  kimiPastedCandidates,
  kimiRefreshSpecFor,
  scanKimiStore,
  writeBackKimiLogin,
} from '../_shared/kimi-store.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the Kimi Code CLI adapter. */
export const KIMI_CODE_SOURCE = 'kimi-code' as const;

function kimiCodeHome(ctx: ScanContext): string {
  const override = ctx.env.KIMI_CODE_HOME?.trim();
  return override ? override : join(ctx.home, '.kimi-code');
}

/**
 * Kimi Code CLI (`MoonshotAI/kimi-code`, TypeScript): the Kimi Code login in
 * `$KIMI_CODE_HOME/credentials/kimi-code.json` (and scoped `kimi-code-env-*` slots a provider
 * table names), and API keys in `config.toml` provider tables, including their `env` sub-tables.
 * It does not read `KIMI_API_KEY` from the shell, so neither does this adapter.
 */
export const kimiCodeAdapter: SourceAdapter = {
  id: KIMI_CODE_SOURCE,
  displayName: 'Kimi Code CLI',
  aliases: ['kimi'],
  defaultPriority: 1,
  login: {
    command: 'kimi login  (the Kimi Code CLI; its command is also `kimi`)',
    browserCommand: 'kimi login',
  },
  loginProvider: KnownProvider.kimi,
  providers: KIMI_PROVIDERS,
  recognizePasted: kimiPastedCandidates,
  loginHint:
    'run `kimi login` (the Kimi Code CLI installs its command as `kimi`), or add an API key to a [providers.<name>] table in ~/.kimi-code/config.toml',

  files(ctx): StoreFile[] {
    const home = kimiCodeHome(ctx);
    return [
      { path: join(home, 'credentials', 'kimi-code.json'), format: 'json', holdsSecrets: true },
      { path: join(home, 'config.toml'), format: 'toml', holdsSecrets: true },
    ];
  },

  lockProtocol() {
    // kimi-code serializes refreshes with an in-process promise queue only: no lock file to share.
    return { kind: 'in-process' };
  },

  async withLock(_ctx, credential, fn) {
    // Nothing to share with kimi-code across processes: serialize our own refreshes of the file,
    // and write back atomically (a concurrent kimi-code then reads either version whole).
    return withInProcessLock(storePathOf(credential) ?? KIMI_CODE_SOURCE, fn);
  },

  oauthRefresh: kimiRefreshSpecFor,

  async writeBack(ctx, credential, tokens) {
    await writeBackKimiLogin(ctx, kimiCodeHome(ctx), credential, tokens);
  },

  async scan(ctx) {
    const out = new SourceCollector(kimiCodeAdapter, ctx);
    await scanKimiStore(out, {
      home: kimiCodeHome(ctx),
      legacyJsonConfig: false,
      keyringNote:
        'the login is in the OS keyring, which this scan does not read; log in again with `kimi login` to store it in the file',
    });
    return out.result();
  },
};
