import { createDecipheriv, scrypt } from 'node:crypto';
import { join } from 'node:path';
import { type Account, CtdError, CtdErrorCode, type Origin } from '@ctd/core';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { decodeJwtPayload } from '../../jwt.ts';
import { checkShape, parseJsonText } from '../../read.ts';
import type { OAuthRefreshSpec, ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { rewriteJsonStore, storeMovedOn } from '../_shared/json-store.ts';
import { keychainKind, keychainSecret } from '../_shared/keychain.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import {
  expiryOf,
  FIVE_MINUTES_MS,
  failedRefresh,
  OAUTH_ENDPOINTS,
  refreshTokenOf,
  tokensFromAnswer,
  tokenUrl,
} from '../_shared/oauth.ts';
import { projectDirs } from '../_shared/project.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the Gemini CLI adapter. */
export const GEMINI_SOURCE = 'gemini-cli' as const;

/** Where Google issues Gemini API keys (AI Studio). */
const GEMINI_KEY_PAGE = 'https://aistudio.google.com/app/apikey';

/**
 * The fixed password Gemini CLI's file keychain feeds to scrypt (reference §2.1). The key is
 * only as secret as the host and user name in the salt: the encryption binds a file to a host.
 */
const KEYCHAIN_PASSWORD = 'gemini-cli-oauth';

/** Gemini CLI's OAuth client id (`OAUTH_CLIENT_ID` in `code_assist/oauth2.ts`). */
export const GEMINI_CLI_CLIENT_ID =
  '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';

/**
 * Variables naming the OAuth client to refresh with, ours first, then the ones OpenClaw reads.
 * Gemini CLI's client secret is a public "installed app" value embedded in its source; it is not
 * copied here, so Google refuses a refresh without it (`invalid_request`) until one is set.
 */
const CLIENT_ID_VARS = ['CTD_GEMINI_OAUTH_CLIENT_ID', 'GEMINI_CLI_OAUTH_CLIENT_ID'] as const;
const CLIENT_SECRET_VARS = ['CTD_GEMINI_OAUTH_CLIENT_SECRET', 'GEMINI_CLI_OAUTH_CLIENT_SECRET'] as const;

/** Google answers these when the client (not the login) is wrong: logging in again does not help. */
const GOOGLE_CLIENT_ERRORS = ['invalid_client', 'unauthorized_client', 'invalid_request'];

function firstVar(env: ScanContext['env'], names: readonly string[]): string | undefined {
  return names.map((n) => env[n]?.trim()).find((v): v is string => Boolean(v));
}

/**
 * google-auth-library's refresh, as Gemini CLI runs it: a form to `oauth2.googleapis.com/token`
 * with the CLI's client. Google refresh tokens do not rotate; `invalid_grant` means the login
 * was revoked or expired. google-auth-library refreshes 5 minutes before expiry
 * (`eagerRefreshThresholdMillis`).
 */
const geminiRefresh: OAuthRefreshSpec = {
  rotating: false,
  request(ctx, credential) {
    const secret = firstVar(ctx.env, CLIENT_SECRET_VARS);
    return {
      url: tokenUrl(OAUTH_ENDPOINTS.google, ctx.env),
      headers: {},
      body: {
        type: 'form',
        value: {
          grant_type: 'refresh_token',
          refresh_token: refreshTokenOf(credential),
          client_id: firstVar(ctx.env, CLIENT_ID_VARS) ?? GEMINI_CLI_CLIENT_ID,
          ...(secret ? { client_secret: secret } : {}),
        },
      },
    };
  },
  parse(status, body, now) {
    if (status >= 200 && status < 300) return tokensFromAnswer('Google', status, body, now);
    const failed = failedRefresh('Google', status, body, { permanentCodes: ['invalid_grant'] });
    if (!GOOGLE_CLIENT_ERRORS.includes(failed.code)) return failed;
    return {
      ...failed,
      reason: `Google answered HTTP ${status} (${failed.code}): the OAuth client was refused, not the login; set ${CLIENT_ID_VARS[0]} and ${CLIENT_SECRET_VARS[0]} to Gemini CLI's own client`,
    };
  },
  refreshAt(credential) {
    const exp = expiryOf(credential);
    return exp === null ? null : exp - FIVE_MINUTES_MS;
  },
};

/** Keychain service and account of the API key entered in Gemini CLI's auth dialog. */
const API_KEY_SERVICE = 'gemini-cli-api-key';
const API_KEY_ACCOUNT = 'default-api-key';
/** Keychain service and account of the Google OAuth login when encrypted storage is forced. */
const OAUTH_SERVICE = 'gemini-cli-oauth';
const OAUTH_ACCOUNT = 'main-account';

/** The `selectedType` values Gemini CLI knows (`AuthType`); only these are echoed in reasons. */
const KNOWN_AUTH_TYPES: ReadonlySet<string> = new Set([
  'oauth-personal',
  'gemini-api-key',
  'vertex-ai',
  'cloud-shell',
  'compute-default-credentials',
  'gateway',
]);

/** The API-key variables Gemini CLI reads, in its order of priority. */
const KEY_VARIABLES = ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] as const;

const OAuthCredsSchema = z.looseObject({
  access_token: z.nullish(z.string()),
  refresh_token: z.nullish(z.string()),
  // google-auth-library writes ms since the epoch; a string form is tolerated, not expected.
  expiry_date: z.nullish(z.union([z.number(), z.string()])),
  id_token: z.nullish(z.string()),
});

const GoogleAccountsSchema = z.looseObject({
  active: z.nullish(z.string()),
  old: z.nullish(z.array(z.unknown())),
});

const SettingsSchema = z.looseObject({
  security: z.optional(z.unknown()),
  selectedAuthType: z.optional(z.unknown()),
});

/** One entry of Gemini CLI's token storage (`OAuthCredentials`); `expiresAt` is ms since the epoch. */
const StoredTokenSchema = z.looseObject({
  serverName: z.nullish(z.string()),
  token: z.looseObject({
    accessToken: z.string(),
    refreshToken: z.nullish(z.string()),
    tokenType: z.nullish(z.string()),
    expiresAt: z.nullish(z.number()),
  }),
  updatedAt: z.nullish(z.number()),
});
type StoredToken = z.infer<typeof StoredTokenSchema>;

/** Decrypted content of either encrypted file: a JSON object at the top level. */
const DecryptedSchema = z.record(z.string(), z.unknown());

interface GeminiPaths {
  /** The directory Gemini CLI treats as home (`GEMINI_CLI_HOME` or the real home). */
  readonly base: string;
  readonly oauthCreds: string;
  readonly accounts: string;
  readonly settings: string;
  readonly geminiEnv: string;
  readonly homeEnv: string;
  readonly credentials: string;
  readonly legacyTokens: string;
}

function geminiPaths(ctx: ScanContext): GeminiPaths {
  // GEMINI_CLI_HOME replaces the home directory itself, not the `.gemini` folder (reference §2.1).
  const override = ctx.env.GEMINI_CLI_HOME?.trim();
  const base = override ? override : ctx.home;
  const dir = join(base, '.gemini');
  return {
    base,
    oauthCreds: join(dir, 'oauth_creds.json'),
    accounts: join(dir, 'google_accounts.json'),
    settings: join(dir, 'settings.json'),
    geminiEnv: join(dir, '.env'),
    // [U] Gemini CLI's `.env` fallback uses its own homedir(), which honours GEMINI_CLI_HOME.
    homeEnv: join(base, '.env'),
    credentials: join(dir, 'gemini-credentials.json'),
    legacyTokens: join(dir, 'mcp-oauth-tokens-v2.json'),
  };
}

/**
 * Blanks out `//` and `/* *\/` comments outside strings, keeping every other character in place
 * (so parse positions still point at the right byte): Gemini CLI reads settings.json as JSONC.
 */
function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (inString) {
      out += ch;
      if (ch === '\\' && next !== undefined) {
        out += next;
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      i++;
    } else if (ch === '"') {
      inString = true;
      out += ch;
      i++;
    } else if (ch === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') {
        out += ' ';
        i++;
      }
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === '\n' || text[i] === '\r' ? text[i] : ' ';
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The auth type a settings object selects, nested form first, then the legacy top-level key. */
function selectedAuthType(
  settings: z.infer<typeof SettingsSchema>,
): { value: string; legacy: boolean } | undefined {
  const security = settings.security;
  if (security && typeof security === 'object' && !Array.isArray(security)) {
    const auth = (security as Record<string, unknown>).auth;
    if (auth && typeof auth === 'object' && !Array.isArray(auth)) {
      const value = (auth as Record<string, unknown>).selectedType;
      if (typeof value === 'string' && value) return { value, legacy: false };
    }
  }
  const legacy = settings.selectedAuthType;
  return typeof legacy === 'string' && legacy ? { value: legacy, legacy: true } : undefined;
}

function idTokenAccount(idToken: string | null | undefined): Account {
  const claims = idToken ? decodeJwtPayload(idToken) : undefined;
  if (!claims) return {};
  const out: Account = {};
  if (typeof claims.email === 'string' && claims.email) out.email = claims.email;
  if (typeof claims.sub === 'string' && claims.sub) out.userId = claims.sub;
  return out;
}

function expiryMs(value: number | string | null | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** `hex(iv):hex(tag16):hex(ciphertext)`, the one line Gemini CLI's file keychain writes. */
const ENVELOPE = /^((?:[0-9a-f]{2})+):([0-9a-f]{32}):((?:[0-9a-f]{2})*)$/i;

function deriveKey(salt: string): Promise<Buffer> {
  // The async form runs on the thread pool, so the ~50 ms scrypt does not stall other adapters.
  return new Promise((resolve, reject) => {
    scrypt(KEYCHAIN_PASSWORD, salt, 32, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one of the encrypted token files and returns its decrypted top-level object. Every
 * failure becomes one issue whose reason names no content.
 */
async function readEncrypted(
  out: SourceCollector,
  path: string,
  keyFor: () => Promise<Buffer>,
): Promise<Record<string, unknown> | undefined> {
  const text = await out.readText(path);
  if (text === undefined) return undefined;
  const envelope = ENVELOPE.exec(text.trim());
  if (!envelope) {
    out.problem(
      path,
      CtdErrorCode.DECRYPT_FAILED,
      'is not in the format Gemini CLI encrypts with (hex iv:tag:ciphertext on one line)',
    );
    return undefined;
  }
  let plaintext: string;
  try {
    const key = await keyFor();
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope[1] as string, 'hex'), {
      authTagLength: 16,
    });
    decipher.setAuthTag(Buffer.from(envelope[2] as string, 'hex'));
    const bytes = Buffer.concat([
      decipher.update(Buffer.from(envelope[3] as string, 'hex')),
      decipher.final(),
    ]);
    plaintext = strictUtf8.decode(bytes);
  } catch {
    out.problem(
      path,
      CtdErrorCode.DECRYPT_FAILED,
      'could not be decrypted: it was probably written on another host or by another user (its key derives from the host name and user name), or it is damaged',
    );
    return undefined;
  }
  const parsed = parseJsonText(plaintext);
  if (parsed.status !== 'ok') {
    if (parsed.status === 'error')
      out.problem(path, parsed.code, `decrypts, but its content ${parsed.reason}`);
    return undefined;
  }
  const shaped = checkShape(DecryptedSchema, parsed.value);
  if (shaped.status !== 'ok') {
    if (shaped.status === 'error')
      out.problem(path, shaped.code, `decrypts, but its content ${shaped.reason}`);
    return undefined;
  }
  return shaped.value;
}

/**
 * Checks one stored entry's shape; `entry` names it (service/account) in the reason. The current
 * keychain file double-encodes entries as JSON strings, the older one holds plain objects.
 */
function storedEntry(
  out: SourceCollector,
  path: string,
  entry: string,
  raw: unknown,
  doubleEncoded: boolean,
): StoredToken | undefined {
  let value = raw;
  if (doubleEncoded) {
    if (typeof raw !== 'string') {
      out.problem(path, CtdErrorCode.INVALID_SHAPE, `decrypts, but entry ${entry} is not a JSON string`);
      return undefined;
    }
    const parsed = parseJsonText(raw);
    if (parsed.status !== 'ok') {
      if (parsed.status === 'error')
        out.problem(path, parsed.code, `decrypts, but entry ${entry} ${parsed.reason}`);
      return undefined;
    }
    value = parsed.value;
  }
  const shaped = checkShape(StoredTokenSchema, value);
  if (shaped.status === 'ok') return shaped.value;
  if (shaped.status === 'error')
    out.problem(path, shaped.code, `decrypts, but entry ${entry} ${shaped.reason}`);
  return undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Gemini CLI (`google-gemini/gemini-cli`): the Google OAuth login in `~/.gemini/oauth_creds.json`,
 * the file keychain `~/.gemini/gemini-credentials.json` (and its older `mcp-oauth-tokens-v2.json`),
 * `GEMINI_API_KEY` / `GOOGLE_API_KEY` from the environment and from `~/.gemini/.env` and `~/.env`,
 * and the auth type selected in `settings.json`. `GEMINI_CLI_HOME` replaces the home directory.
 */
export const geminiCliAdapter: SourceAdapter = {
  id: GEMINI_SOURCE,
  displayName: 'Gemini CLI',
  aliases: ['gemini'],
  defaultPriority: 4,
  login: { command: 'gemini  (then choose a login in /auth)' },
  // Re-login hints offer an AI Studio key: the Google login may not be used by other tools.
  loginProvider: KnownProvider.google,
  providers: {
    [KnownProvider.google]: { keyPage: GEMINI_KEY_PAGE },
    [KnownProvider.googleGeminiCli]: {
      keyPage: GEMINI_KEY_PAGE,
      loginPolicy: {
        stance: 'forbidden',
        requiresOptIn: true,
        note: "Google's terms forbid using Gemini CLI's OAuth login from other tools; accounts were banned for it in 2026. Use a Gemini API key instead. Store format checked against @google/gemini-cli 0.61.0.",
        asOf: '2026-09-06',
      },
      noGatewayProvider: {
        reason:
          "OpenClaw has no provider for Gemini CLI's Google login, and Google's terms forbid its use by other tools",
        whatToDo: `Create a Gemini API key at ${GEMINI_KEY_PAGE} and run \`openclaw token-discovery import-manual gemini -\`.`,
      },
    },
  },

  recognizePasted() {
    return [{ provider: KnownProvider.google, kind: 'api_key', label: 'Gemini API key (pasted)' }];
  },
  loginHint:
    'run `gemini` and choose "Login with Google" or "Use Gemini API key" in /auth, or set GEMINI_API_KEY in ~/.gemini/.env',

  files(ctx): StoreFile[] {
    const p = geminiPaths(ctx);
    return [
      { path: p.oauthCreds, format: 'json', holdsSecrets: true },
      { path: p.accounts, format: 'json', holdsSecrets: false },
      { path: p.settings, format: 'json', holdsSecrets: false },
      { path: p.geminiEnv, format: 'dotenv', holdsSecrets: true },
      { path: p.homeEnv, format: 'dotenv', holdsSecrets: true },
      { path: p.credentials, format: 'encrypted', holdsSecrets: true },
      { path: p.legacyTokens, format: 'encrypted', holdsSecrets: true },
    ];
  },

  lockProtocol() {
    // Gemini CLI takes no lock on its token store; Google does not rotate refresh tokens, so a
    // concurrent refresh costs an extra access token, never the login.
    return { kind: 'none' };
  },

  async withLock(_ctx, credential, fn) {
    // No lock to share with Gemini CLI: serialize our own writes of the store.
    return withInProcessLock(storePathOf(credential) ?? GEMINI_SOURCE, fn);
  },

  oauthRefresh(credential) {
    // The login in oauth_creds.json. One in the encrypted keychain file could be refreshed, but
    // not written back (that file is re-encrypted by Gemini CLI only), so it is left alone.
    const o = credential.origin;
    if (credential.kind !== 'oauth' || !credential.hasRefreshToken) return undefined;
    if (o.type !== 'file' || o.field !== 'access_token' || !o.path.endsWith('oauth_creds.json'))
      return undefined;
    return geminiRefresh;
  },

  async writeBack(ctx, credential, tokens) {
    const path = geminiPaths(ctx).oauthCreds;
    if (storePathOf(credential) !== path) {
      throw new CtdError('BAD_USAGE', `${credential.id} is not the Google login of ${path}`);
    }
    await rewriteJsonStore(ctx, path, 'a Gemini CLI Google login', (store) => {
      // Google's refresh token does not rotate: it names the login. Another one is another login.
      if (store.refresh_token !== credential.refreshSecret?.reveal()) throw storeMovedOn(path, 'other-login');
      // As google-auth-library merges a refresh into its credentials: the refresh token stays.
      store.access_token = tokens.accessToken;
      if (tokens.expiresAtMs !== undefined) store.expiry_date = tokens.expiresAtMs;
      if (tokens.idToken) store.id_token = tokens.idToken;
      if (tokens.refreshToken) store.refresh_token = tokens.refreshToken;
    });
  },

  async scan(ctx) {
    const out = new SourceCollector(geminiCliAdapter, ctx);
    const p = geminiPaths(ctx);
    const errored = (path: string) => out.issues.some((i) => i.path === path && i.severity === 'error');
    let apiKeys = 0;
    let logins = 0;

    // Settings hold no secret, only which login the CLI uses; read for `--explain` and hints.
    let selected: { value: string; legacy: boolean } | undefined;
    const settingsText = await out.readText(p.settings);
    if (settingsText !== undefined) {
      const parsed = out.settle(p.settings, parseJsonText(stripJsonComments(settingsText)));
      const settings =
        parsed === undefined ? undefined : out.settle(p.settings, checkShape(SettingsSchema, parsed));
      if (settings) {
        selected = selectedAuthType(settings);
        const shown =
          selected && (KNOWN_AUTH_TYPES.has(selected.value) ? selected.value : 'an unrecognised value');
        out.checked(
          p.settings,
          'found',
          selected
            ? `selected auth type: ${shown}${selected.legacy ? ' (legacy top-level selectedAuthType)' : ''}`
            : 'selects no auth type',
        );
      }
    }

    const accounts = await out.readJson(p.accounts, GoogleAccountsSchema);
    const activeEmail = accounts?.active?.trim() || undefined;
    if (accounts)
      out.checked(p.accounts, 'found', activeEmail ? 'names the active account' : 'no active account');

    // The key variables mean the same in the environment and in a .env file: one label rule.
    const foundKey = (variable: (typeof KEY_VARIABLES)[number], secret: string, origin: Origin) =>
      out.found({
        provider: KnownProvider.google,
        kind: 'api_key',
        label: variable === 'GEMINI_API_KEY' ? 'Gemini API key' : 'Google API key',
        secret,
        origin,
      });
    /** Reports the Google API key variables a .env sets; how many it set. */
    const foundKeysIn = (vars: ReadonlyMap<string, string>, path: string): number => {
      let here = 0;
      for (const variable of KEY_VARIABLES) {
        const value = vars.get(variable)?.trim();
        if (!value) continue;
        foundKey(variable, value, { type: 'env-file', path, variable });
        here++;
      }
      return here;
    };

    // The environment comes first: Gemini CLI lets a set variable win over every file, and the
    // scan keeps the first place a secret was found as its origin.
    for (const variable of KEY_VARIABLES) {
      const value = out.env(variable);
      if (!value) continue;
      foundKey(variable, value, { type: 'env', variable });
      out.checked(`$${variable}`, 'found', 'set');
      apiKeys++;
    }

    // Gemini CLI loads the first of `.gemini/.env`, `.env` found walking up from where it runs,
    // and the home's only when the project has none.
    let projectEnv: string | undefined;
    for (const dir of projectDirs(ctx)) {
      for (const path of [join(dir, '.gemini', '.env'), join(dir, '.env')]) {
        if (projectEnv) break;
        const vars = await out.readDotEnv(path);
        if (vars === undefined) continue;
        projectEnv = path;
        const here = foundKeysIn(vars, path);
        apiKeys += here;
        out.checked(
          path,
          here ? 'found' : 'empty',
          here
            ? `project .env: sets ${here} Google API key variable(s)`
            : 'project .env: sets no Google API key',
        );
      }
      if (projectEnv) break;
    }

    let geminiEnvLoaded = false;
    for (const path of [p.geminiEnv, p.homeEnv]) {
      const vars = await out.readDotEnv(path);
      if (vars === undefined) continue;
      const here = foundKeysIn(vars, path);
      apiKeys += here;
      // Gemini CLI loads only the first .env it finds, so ~/.env is shadowed by ~/.gemini/.env.
      const shadowed = path === p.homeEnv && geminiEnvLoaded;
      const note = shadowed ? ' (Gemini CLI skips this file while ~/.gemini/.env exists)' : '';
      out.checked(
        path,
        here ? 'found' : 'empty',
        `${here ? `sets ${here} Google API key variable(s)` : 'sets no GEMINI_API_KEY or GOOGLE_API_KEY'}${note}`,
      );
      if (path === p.geminiEnv) geminiEnvLoaded = true;
    }

    // One key per scan, and only when an encrypted file is there to decrypt: scrypt is slow.
    let keyPromise: Promise<Buffer> | undefined;
    const keyFor = () => {
      keyPromise ??= deriveKey(`${ctx.hostname}-${ctx.username}-gemini-cli`);
      return keyPromise;
    };

    const addStored = (path: string, field: string, entry: StoredToken, what: 'api-key' | 'oauth') => {
      const token = entry.token;
      if (!token.accessToken.trim()) return false;
      if (what === 'api-key') {
        out.found({
          provider: KnownProvider.google,
          kind: 'api_key',
          // The same entry comes from the OS keychain itself (a `keychain:` place) or Gemini CLI's
          // file stand-in for it.
          label: path.startsWith('keychain:')
            ? 'Gemini API key (OS keychain)'
            : 'Gemini API key (Gemini CLI keychain file)',
          secret: token.accessToken.trim(),
          origin: { type: 'file', path, field: `${field}.token.accessToken` },
        });
        apiKeys++;
      } else {
        out.found({
          provider: KnownProvider.googleGeminiCli,
          kind: token.refreshToken ? 'oauth' : 'token',
          label: 'Gemini CLI Google login',
          secret: token.accessToken,
          refreshToken: token.refreshToken ?? undefined,
          refreshTokenIsStable: true,
          expiresAt: expiryMs(token.expiresAt),
          // The stored entry keeps no id_token, so the account comes from the account cache.
          account: { email: activeEmail },
          origin: { type: 'file', path, field: `${field}.token.accessToken` },
        });
        logins++;
      }
      return true;
    };

    const current = await readEncrypted(out, p.credentials, keyFor);
    if (current) {
      let here = 0;
      const entries = [
        [API_KEY_SERVICE, API_KEY_ACCOUNT, 'api-key'],
        [OAUTH_SERVICE, OAUTH_ACCOUNT, 'oauth'],
      ] as const;
      for (const [service, account, what] of entries) {
        const raw = record(current[service])?.[account];
        if (raw === undefined) continue;
        const entry = storedEntry(out, p.credentials, `${service}/${account}`, raw, true);
        if (entry && addStored(p.credentials, `${service}.${account}`, entry, what)) here++;
      }
      if (!errored(p.credentials)) {
        out.checked(
          p.credentials,
          here ? 'found' : 'empty',
          here
            ? 'decrypted'
            : 'decrypted; holds no Gemini API key or Google login (other services are ignored)',
        );
      }
    }

    const legacy = await readEncrypted(out, p.legacyTokens, keyFor);
    if (legacy) {
      let here = 0;
      // The older file is a flat map by server name: only these two are model credentials,
      // every other name is an MCP server's token.
      const entries = [
        [API_KEY_ACCOUNT, 'api-key'],
        [OAUTH_ACCOUNT, 'oauth'],
      ] as const;
      for (const [name, what] of entries) {
        const raw = legacy[name];
        if (raw === undefined) continue;
        const entry = storedEntry(out, p.legacyTokens, name, raw, false);
        if (entry && addStored(p.legacyTokens, name, entry, what)) here++;
      }
      if (!errored(p.legacyTokens)) {
        out.checked(
          p.legacyTokens,
          here ? 'found' : 'empty',
          here
            ? 'decrypted (older format)'
            : 'decrypted; holds only MCP server tokens, which are not model logins',
        );
      }
    }

    // The OS keychain, when the scan opts in: the keytar entries Gemini CLI writes where a keychain
    // is reachable, the same JSON as the encrypted file's entries.
    const keychain = keychainKind(ctx);
    if (keychain) {
      const entries = [
        [API_KEY_SERVICE, API_KEY_ACCOUNT, 'api-key'],
        [OAUTH_SERVICE, OAUTH_ACCOUNT, 'oauth'],
      ] as const;
      for (const [service, account, what] of entries) {
        const where = `keychain:${keychain}/${service}`;
        const read = await keychainSecret(ctx, service, account);
        if (read.status === 'unavailable') {
          out.checked(where, 'skipped', read.reason);
          break;
        }
        if (read.status !== 'ok' || read.value === undefined) {
          if (read.status === 'ok') out.checked(where, 'missing', `holds no ${account} item`);
          continue;
        }
        const entry = storedEntry(out, where, `${service}/${account}`, read.value, true);
        if (entry && addStored(where, account, entry, what))
          out.checked(where, 'found', `the ${account} item`);
      }
    }

    const creds = await out.readJson(p.oauthCreds, OAuthCredsSchema);
    if (creds) {
      const access = creds.access_token?.trim();
      if (access) {
        const fromToken = idTokenAccount(creds.id_token);
        const refresh = creds.refresh_token?.trim() || undefined;
        out.found({
          provider: KnownProvider.googleGeminiCli,
          kind: refresh ? 'oauth' : 'token',
          label: 'Gemini CLI Google login',
          secret: access,
          refreshToken: refresh,
          // Google does not rotate refresh tokens, so the refresh token identifies the login.
          refreshTokenIsStable: true,
          expiresAt: expiryMs(creds.expiry_date),
          account: { email: fromToken.email ?? activeEmail, userId: fromToken.userId },
          origin: { type: 'file', path: p.oauthCreds, field: 'access_token' },
        });
        logins++;
        out.checked(
          p.oauthCreds,
          'found',
          refresh ? 'Google OAuth login' : 'Google access token without refresh token',
        );
      } else {
        out.checked(p.oauthCreds, 'empty', 'holds no access token');
      }
    }

    // The CLI's chosen login may live in the OS keychain, which this scan does not read: say so
    // when the settings point at a login that no file holds (and no file failed to read).
    if (selected?.value === 'gemini-api-key' && apiKeys === 0 && !errored(p.credentials)) {
      out.problem(
        p.settings,
        CtdErrorCode.IN_OS_KEYRING,
        'selects gemini-api-key, and no key was found in the environment, .env files or the encrypted file: a key entered in the CLI is kept in the OS keychain (service "gemini-cli-api-key"), which this scan does not read',
        'info',
      );
    } else if (
      selected?.value === 'oauth-personal' &&
      logins === 0 &&
      ![p.oauthCreds, p.credentials, p.legacyTokens].some(errored)
    ) {
      out.problem(
        p.settings,
        CtdErrorCode.IN_OS_KEYRING,
        'selects oauth-personal, and no file holds the login: with GEMINI_FORCE_ENCRYPTED_FILE_STORAGE=true it is kept in the OS keychain (service "gemini-cli-oauth"), which this scan does not read',
        'info',
      );
    }
    return out.result();
  },
};
