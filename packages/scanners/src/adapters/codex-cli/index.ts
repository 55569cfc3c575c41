import { join } from 'node:path';
import { CtdError, CtdErrorCode } from '@ctd/core';
import { withFlock } from '@ctd/core/node';
import { z } from 'zod';
import { SourceCollector } from '../../collector.ts';
import { decodeJwtPayload, jwtExpiryMs } from '../../jwt.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { objectAt, rewriteJsonStore, storeMovedOn } from '../_shared/json-store.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { expiryOf, openaiRefreshSpec, refreshHintOf, rememberRefreshHint } from '../_shared/oauth.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the Codex CLI adapter. */
export const CODEX_SOURCE = 'codex-cli' as const;

const TokensSchema = z.object({
  id_token: z.string().nullish(),
  access_token: z.string(),
  refresh_token: z.string().nullish(),
  account_id: z.string().nullish(),
});

const AuthFileSchema = z
  .object({
    auth_mode: z.string().nullish(),
    OPENAI_API_KEY: z.string().nullish(),
    tokens: TokensSchema.nullish(),
    last_refresh: z.string().nullish(),
  })
  .loose();

/** Codex refreshes a login whose access token has no readable `exp` once `last_refresh` is this old. */
const CODEX_REFRESH_INTERVAL_MS = 8 * 24 * 60 * 60_000;

/**
 * When Codex would refresh: once the access token's JWT `exp` has passed
 * (`is_stale_for_proactive_refresh`), else 8 days after `last_refresh`.
 */
function codexRefreshAt(credential: Parameters<typeof expiryOf>[0] & { id: string; hash: string }) {
  const exp = expiryOf(credential);
  if (exp !== null) return exp;
  const last = refreshHintOf(credential).lastRefreshMs;
  return last === undefined ? null : last + CODEX_REFRESH_INTERVAL_MS;
}

const codexRefresh = openaiRefreshSpec(codexRefreshAt);

/** How long to wait for Codex's lock before giving up. */
const CODEX_LOCK_TIMEOUT_MS = 10_000;

function codexHome(ctx: ScanContext): string {
  const override = ctx.env.CODEX_HOME?.trim();
  return override ? override : join(ctx.home, '.codex');
}

function claimsOf(idToken: string | null | undefined): {
  email?: string;
  plan?: string;
  accountId?: string;
  userId?: string;
} {
  if (!idToken) return {};
  const claims = decodeJwtPayload(idToken);
  if (!claims) return {};
  const auth = (claims['https://api.openai.com/auth'] ?? {}) as Record<string, unknown>;
  const profile = (claims['https://api.openai.com/profile'] ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const out: { email?: string; plan?: string; accountId?: string; userId?: string } = {};
  const email = str(claims.email) ?? str(profile.email);
  if (email) out.email = email;
  const plan = str(auth.chatgpt_plan_type);
  if (plan) out.plan = plan;
  const accountId = str(auth.chatgpt_account_id);
  if (accountId) out.accountId = accountId;
  const userId = str(auth.chatgpt_user_id) ?? str(auth.user_id);
  if (userId) out.userId = userId;
  return out;
}

/**
 * Codex CLI (`openai/codex`): `$CODEX_HOME/auth.json` (API key, ChatGPT login, legacy files
 * without `auth_mode`), `config.toml`'s `cli_auth_credentials_store`, and `CODEX_API_KEY`.
 */
export const codexCliAdapter: SourceAdapter = {
  id: CODEX_SOURCE,
  displayName: 'Codex CLI',
  aliases: ['codex'],
  defaultPriority: 2,
  loginHint: 'run `codex login` (ChatGPT) or `printenv OPENAI_API_KEY | codex login --with-api-key`',
  login: { command: 'codex login', browserCommand: 'codex login --device-auth' },
  loginProvider: KnownProvider.openai,
  providers: {
    [KnownProvider.openai]: {
      keyPage: 'https://platform.openai.com/api-keys',
      loginPolicy: {
        stance: 'allowed',
        requiresOptIn: false,
        note: 'OpenAI supports ChatGPT/Codex subscription logins in external tools (per OpenClaw docs).',
        asOf: '2026-09-06',
      },
    },
  },

  recognizePasted() {
    return [{ provider: KnownProvider.openai, kind: 'api_key', label: 'OpenAI API key (pasted)' }];
  },

  files(ctx): StoreFile[] {
    const home = codexHome(ctx);
    return [
      { path: join(home, 'auth.json'), format: 'json', holdsSecrets: true },
      { path: join(home, 'config.toml'), format: 'toml', holdsSecrets: false },
    ];
  },

  lockProtocol(ctx) {
    // Codex reloads auth.json and compares account_id before refreshing. Since 0.171 it also leaves
    // `auth.json.lock` beside the file; a lock file that outlives its holder is a flock file.
    return { kind: 'flock', lockPath: join(codexHome(ctx), 'auth.json.lock') };
  },

  async withLock(ctx, credential, fn) {
    const authPath = join(codexHome(ctx), 'auth.json');
    if (storePathOf(credential) !== authPath) return withInProcessLock(CODEX_SOURCE, fn);
    // Codex's documented protocol is reload-and-compare: re-read auth.json, and refresh only if
    // it still holds the same account (the refresher re-reads inside this lock; writeBack
    // compares the account and the refresh token once more before writing).
    // [U] Codex 0.171 also creates `auth.json.lock`, but how it takes it is not documented. A
    // flock on it excludes a Codex that flocks the same file and costs nothing if Codex does not;
    // should Codex use it as an O_EXCL file instead, this lock does not exclude it, and the
    // compare in writeBack is what keeps its newer tokens.
    return withInProcessLock(authPath, () =>
      withFlock(join(codexHome(ctx), 'auth.json.lock'), { timeoutMs: CODEX_LOCK_TIMEOUT_MS }, fn),
    );
  },

  oauthRefresh(credential) {
    // Only the ChatGPT login in auth.json has a refresh token Codex spends.
    const o = credential.origin;
    if (credential.kind !== 'oauth' || !credential.hasRefreshToken) return undefined;
    if (o.type !== 'file' || o.field !== 'tokens.access_token') return undefined;
    return codexRefresh;
  },

  async writeBack(ctx, credential, tokens) {
    const path = join(codexHome(ctx), 'auth.json');
    if (storePathOf(credential) !== path || credential.origin.type !== 'file') {
      throw new CtdError('BAD_USAGE', `${credential.id} is not the ChatGPT login of ${path}`);
    }
    await rewriteJsonStore(ctx, path, 'a Codex ChatGPT login', (store) => {
      const stored = objectAt(store.tokens);
      if (!stored || typeof stored.access_token !== 'string') throw storeMovedOn(path, 'other-login');
      // Codex's own compare: the account first (a re-login as someone else)...
      const storedAccount =
        (typeof stored.account_id === 'string' && stored.account_id) ||
        claimsOf(typeof stored.id_token === 'string' ? stored.id_token : undefined).accountId;
      const account = credential.account.accountId;
      if (storedAccount && account && storedAccount !== account) throw storeMovedOn(path, 'other-login');
      // ...then the chain: a refresh token that moved on means Codex refreshed in between.
      if (stored.refresh_token !== credential.refreshSecret?.reveal()) throw storeMovedOn(path, 'changed');
      // Changed in place: key order, `account_id`, `oauth_provenance` and unknown fields stay.
      if (tokens.idToken) stored.id_token = tokens.idToken;
      stored.access_token = tokens.accessToken;
      if (tokens.refreshToken) stored.refresh_token = tokens.refreshToken;
      // chrono reads any RFC 3339 time; Codex writes UTC with a `Z`, as toISOString does.
      store.last_refresh = new Date().toISOString();
    });
  },

  async scan(ctx) {
    const out = new SourceCollector(codexCliAdapter, ctx);
    const home = codexHome(ctx);
    const configPath = join(home, 'config.toml');
    const authPath = join(home, 'auth.json');

    const config = await out.readToml(configPath);
    const storeMode =
      typeof config?.cli_auth_credentials_store === 'string' ? config.cli_auth_credentials_store : 'file';
    if (config) out.checked(configPath, 'found', `credentials store: ${storeMode}`);

    const auth = await out.readJson(authPath, AuthFileSchema);
    if (auth === undefined && (storeMode === 'keyring' || storeMode === 'auto')) {
      out.problem(
        configPath,
        CtdErrorCode.IN_OS_KEYRING,
        `says cli_auth_credentials_store = "${storeMode}" and there is no auth.json: the login is stored in the OS keyring (service "Codex Auth"), which this scan does not read`,
        'info',
      );
    } else if (auth === undefined && storeMode === 'ephemeral') {
      out.checked(configPath, 'skipped', 'credentials store is "ephemeral": nothing is kept on disk');
    }

    if (auth) {
      const apiKey = auth.OPENAI_API_KEY?.trim();
      const mode = auth.auth_mode ?? (apiKey ? 'apikey' : 'chatgpt');
      let foundAny = false;
      if (apiKey) {
        out.found({
          provider: KnownProvider.openai,
          kind: 'api_key',
          label: 'OpenAI API key',
          secret: apiKey,
          origin: { type: 'file', path: authPath, field: 'OPENAI_API_KEY' },
        });
        foundAny = true;
      }
      const tokens = auth.tokens;
      if (tokens?.access_token && mode !== 'apikey') {
        const claims = claimsOf(tokens.id_token);
        const accountId = tokens.account_id ?? claims.accountId;
        const credential = out.found({
          provider: KnownProvider.openai,
          kind: tokens.refresh_token ? 'oauth' : 'token',
          label: 'ChatGPT login',
          secret: tokens.access_token,
          refreshToken: tokens.refresh_token ?? undefined,
          expiresAt: jwtExpiryMs(tokens.access_token) ?? null,
          account: { email: claims.email, plan: claims.plan, accountId, userId: claims.userId },
          origin: { type: 'file', path: authPath, field: 'tokens.access_token' },
        });
        const lastRefreshMs = auth.last_refresh ? Date.parse(auth.last_refresh) : Number.NaN;
        if (Number.isFinite(lastRefreshMs)) rememberRefreshHint(credential, { lastRefreshMs });
        foundAny = true;
      }
      out.checked(
        authPath,
        foundAny ? 'found' : 'empty',
        foundAny ? `auth_mode ${mode}` : 'holds no API key or tokens',
      );
    }

    const envKey = out.env('CODEX_API_KEY');
    if (envKey) {
      out.found({
        provider: KnownProvider.openai,
        kind: 'api_key',
        label: 'OpenAI API key',
        secret: envKey,
        origin: { type: 'env', variable: 'CODEX_API_KEY' },
      });
      out.checked('$CODEX_API_KEY', 'found', 'set');
    }
    return out.result();
  },
};
