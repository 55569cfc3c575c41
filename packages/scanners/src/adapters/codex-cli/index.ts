import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CtdError, CtdErrorCode } from '@ctd/core';
import { sha256Hex, withFlock } from '@ctd/core/node';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { decodeJwtPayload, jwtExpiryMs } from '../../jwt.ts';
import { checkShape, parseJsonText } from '../../read.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { objectAt, rewriteJsonStore, storeMovedOn } from '../_shared/json-store.ts';
import { keychainKind, keychainSecret } from '../_shared/keychain.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { expiryOf, openaiRefreshSpec, refreshHintOf, rememberRefreshHint } from '../_shared/oauth.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the Codex CLI adapter. */
export const CODEX_SOURCE = 'codex-cli' as const;

// Codex 0.171 adds `oauth_provenance: {issuer, client_id}` and `login_owner_id` to the tokens of a
// ChatGPT login; unknown fields are kept (loose) so newer ones do not fail the shape check.
const TokensSchema = z.looseObject({
  id_token: z.nullish(z.string()),
  access_token: z.string(),
  refresh_token: z.nullish(z.string()),
  account_id: z.nullish(z.string()),
  login_owner_id: z.nullish(z.string()),
  oauth_provenance: z.nullish(
    z.looseObject({ issuer: z.nullish(z.string()), client_id: z.nullish(z.string()) }),
  ),
});

const AuthFileSchema = z.looseObject({
  auth_mode: z.nullish(z.string()),
  OPENAI_API_KEY: z.nullish(z.string()),
  tokens: z.nullish(TokensSchema),
  last_refresh: z.nullish(z.string()),
  // `codex login --with-access-token` with an `at-…` token (no `auth_mode`; the account comes
  // from a whoami call at each start, so the file names none).
  personal_access_token: z.nullish(z.string()),
  // The same command with an agent identity JWT: a signed token whose claims name the account.
  agent_identity: z.nullish(z.string()),
});

/**
 * Files of Codex's encrypted secrets backend (`secrets/<name>.age`, age/scrypt; the passphrase is
 * in the OS keyring, service `codex`). 0.171 names the CLI login `codex_auth.age`; older versions
 * `cli_auth.age`. `gateway_oauth.age` holds gateway OAuth logins.
 */
const SECRETS_FILES = [
  { file: 'codex_auth.age', what: 'the CLI login' },
  { file: 'cli_auth.age', what: 'the CLI login (older Codex)' },
  { file: 'gateway_oauth.age', what: 'gateway OAuth logins' },
] as const;

/**
 * Whether an OS keyring could have taken Codex's login: macOS and Windows always have one; on
 * Linux the Secret Service needs a D-Bus session bus, which a headless machine lacks (there
 * `codex login` fails in keyring mode and stores nothing).
 */
function keyringReachable(ctx: ScanContext): boolean {
  if (process.platform !== 'linux') return true;
  return Boolean(ctx.env.DBUS_SESSION_BUS_ADDRESS?.trim());
}

/** The account claims of an agent identity JWT (never its `agent_private_key`). */
function agentIdentityAccount(jwt: string): {
  email?: string;
  plan?: string;
  accountId?: string;
  userId?: string;
} {
  const claims = decodeJwtPayload(jwt);
  if (!claims) return {};
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const out: { email?: string; plan?: string; accountId?: string; userId?: string } = {};
  const email = str(claims.email);
  if (email) out.email = email;
  const plan = str(claims.plan_type);
  if (plan) out.plan = plan;
  const accountId = str(claims.account_id);
  if (accountId) out.accountId = accountId;
  const userId = str(claims.chatgpt_user_id);
  if (userId) out.userId = userId;
  return out;
}

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

/** Codex's keyring account for a CODEX_HOME: `cli|` and 16 hex of sha256 of its canonical path. */
async function codexKeyringAccount(home: string): Promise<string> {
  let canonical = home;
  try {
    canonical = await realpath(home);
  } catch {
    // Codex falls back on the path as given when it cannot be canonicalized.
  }
  return `cli|${sha256Hex(canonical).slice(0, 16)}`;
}

/** The secrets-backend files present under `$CODEX_HOME/secrets/`. */
async function existingSecretsFiles(home: string): Promise<(typeof SECRETS_FILES)[number][]> {
  const present = await Promise.all(
    SECRETS_FILES.map(async (f) => {
      try {
        return (await stat(join(home, 'secrets', f.file))).isFile() ? f : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return present.filter((f) => f !== undefined);
}

/**
 * Codex CLI (`openai/codex`): `$CODEX_HOME/auth.json` (API key, ChatGPT login, personal access
 * token, agent identity, legacy files without `auth_mode`), `config.toml`'s
 * `cli_auth_credentials_store`, the encrypted `secrets/*.age` files (reported), and
 * `CODEX_API_KEY`. Formats checked against `@openai/codex` 0.171.0.
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
        note: 'OpenAI supports ChatGPT/Codex subscription logins in external tools (per OpenClaw docs). Store format checked against @openai/codex 0.171.0.',
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
    // `auth.json.lock` (0600) and `auth.lock` (0644, its storage backend's) beside the file, both
    // empty and never removed: flock files, not O_EXCL markers.
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
    const secretsFiles = await existingSecretsFiles(home);
    for (const f of secretsFiles) {
      out.problem(
        join(home, 'secrets', f.file),
        CtdErrorCode.IN_OS_KEYRING,
        `holds ${f.what} encrypted with a passphrase kept in the OS keyring (service "codex"), which this scan does not read`,
        'info',
      );
    }
    // The OS keychain, when the scan opts in: in keyring or auto mode Codex keeps the same JSON as
    // auth.json under service "Codex Auth", account `cli|<16 hex of sha256(canonical CODEX_HOME)>`
    // (attribute `username` in the Secret Service, as Rust's keyring crate writes it).
    let fromKeychain: { auth: z.infer<typeof AuthFileSchema>; path: string; prefix: string } | undefined;
    const keychain = keychainKind(ctx);
    if (auth === undefined && keychain && (storeMode === 'keyring' || storeMode === 'auto')) {
      const account = await codexKeyringAccount(home);
      const where = `keychain:${keychain}/Codex Auth`;
      const read = await keychainSecret(ctx, 'Codex Auth', account, 'username');
      if (read.status === 'unavailable') out.checked(where, 'skipped', read.reason);
      else if (read.status === 'ok' && read.value === undefined)
        out.checked(where, 'missing', `holds no ${account} item`);
      else if (read.status === 'ok' && read.value !== undefined) {
        const parsed = parseJsonText(read.value);
        const shaped = parsed.status === 'ok' ? checkShape(AuthFileSchema, parsed.value) : parsed;
        if (shaped.status === 'ok')
          fromKeychain = { auth: shaped.value, path: where, prefix: `keychain:${account}#` };
        else out.checked(where, 'error', `holds an item for ${account} that is not a Codex login`);
      }
    }
    if (fromKeychain) {
      // Found in the keychain: nothing to say about where the login might be.
    } else if (auth === undefined && storeMode === 'keyring' && !keyringReachable(ctx)) {
      // Codex 0.171 in keyring mode on a machine without a Secret Service fails the login and
      // writes nothing: there is no login to look for, and saying "in the keyring" would mislead.
      out.problem(
        configPath,
        CtdErrorCode.IN_OS_KEYRING,
        'says cli_auth_credentials_store = "keyring" and no OS keyring is reachable here (no D-Bus session): Codex could not have stored a login; run `codex login` with cli_auth_credentials_store = "file" or "auto"',
        'info',
      );
    } else if (auth === undefined && storeMode === 'keyring' && secretsFiles.length === 0) {
      out.problem(
        configPath,
        CtdErrorCode.IN_OS_KEYRING,
        `says cli_auth_credentials_store = "${storeMode}" and there is no auth.json: the login is stored in the OS keyring (service "Codex Auth"), which this scan does not read`,
        'info',
      );
    } else if (
      auth === undefined &&
      storeMode === 'auto' &&
      keyringReachable(ctx) &&
      secretsFiles.length === 0
    ) {
      out.problem(
        configPath,
        CtdErrorCode.IN_OS_KEYRING,
        `says cli_auth_credentials_store = "${storeMode}" and there is no auth.json: the login is stored in the OS keyring (service "Codex Auth"), which this scan does not read`,
        'info',
      );
    } else if (auth === undefined && storeMode === 'ephemeral') {
      out.checked(configPath, 'skipped', 'credentials store is "ephemeral": nothing is kept on disk');
    }

    const stored = auth ? { auth, path: authPath, prefix: '' } : fromKeychain;
    if (stored) {
      const { auth } = stored;
      const apiKey = auth.OPENAI_API_KEY?.trim();
      const pat = auth.personal_access_token?.trim();
      const agentIdentity = auth.agent_identity?.trim();
      const mode =
        auth.auth_mode ??
        (apiKey ? 'apikey' : pat ? 'personal access token' : agentIdentity ? 'agent identity' : 'chatgpt');
      let foundAny = false;
      if (apiKey) {
        out.found({
          provider: KnownProvider.openai,
          kind: 'api_key',
          label: 'OpenAI API key',
          secret: apiKey,
          origin: { type: 'file', path: stored.path, field: `${stored.prefix}OPENAI_API_KEY` },
        });
        foundAny = true;
      }
      const tokens = auth.tokens;
      if (tokens?.access_token && mode !== 'apikey') {
        const claims = claimsOf(tokens.id_token);
        const accountId = tokens.account_id ?? claims.accountId;
        // `login_owner_id` (0.171) names the ChatGPT user who logged in, where the id token does not.
        const userId = claims.userId ?? tokens.login_owner_id ?? undefined;
        const credential = out.found({
          provider: KnownProvider.openai,
          kind: tokens.refresh_token ? 'oauth' : 'token',
          label: 'ChatGPT login',
          secret: tokens.access_token,
          refreshToken: tokens.refresh_token ?? undefined,
          expiresAt: jwtExpiryMs(tokens.access_token) ?? null,
          account: { email: claims.email, plan: claims.plan, accountId, userId },
          origin: { type: 'file', path: stored.path, field: `${stored.prefix}tokens.access_token` },
        });
        const lastRefreshMs = auth.last_refresh ? Date.parse(auth.last_refresh) : Number.NaN;
        if (Number.isFinite(lastRefreshMs)) rememberRefreshHint(credential, { lastRefreshMs });
        foundAny = true;
      }
      if (pat) {
        // An `at-…` token of `codex login --with-access-token`: long-lived, no refresh token; the
        // server checks its expiry, so none is known here.
        out.found({
          provider: KnownProvider.openai,
          kind: 'token',
          label: 'ChatGPT personal access token',
          secret: pat,
          origin: { type: 'file', path: stored.path, field: `${stored.prefix}personal_access_token` },
        });
        foundAny = true;
      }
      if (agentIdentity) {
        out.found({
          provider: KnownProvider.openai,
          kind: 'token',
          label: 'Codex agent identity',
          secret: agentIdentity,
          expiresAt: jwtExpiryMs(agentIdentity) ?? null,
          account: agentIdentityAccount(agentIdentity),
          origin: { type: 'file', path: stored.path, field: `${stored.prefix}agent_identity` },
        });
        foundAny = true;
      }
      out.checked(
        stored.path,
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
