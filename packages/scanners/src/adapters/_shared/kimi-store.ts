// Parsing shared by the two Moonshot CLIs (kimi-cli and kimi-code): they write the same OAuth
// token wire format and the same `[providers.<name>]` tables in config.toml.
import { arch, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type CredentialInfo,
  CtdError,
  CtdErrorCode,
  type DiscoveredCredential,
  type ProviderId,
} from '@ctd/core';
import { sha256Hex } from '@ctd/core/node';
import * as z from 'zod/mini';
import type { SourceCollector } from '../../collector.ts';
import { checkShape, describeShapeError, parseJsonText, parseTomlText, readTextFile } from '../../read.ts';
import type {
  OAuthRefreshSpec,
  PastedCandidate,
  ProviderFacts,
  RefreshedTokens,
  ScanContext,
} from '../../types.ts';
import { KnownProvider } from '../providers.ts';
import { rewriteJsonStore, storeMovedOn } from './json-store.ts';
import { storePathOf } from './locks.ts';
import {
  expiryOf,
  failedRefresh,
  OAUTH_ENDPOINTS,
  refreshHintOf,
  refreshTokenOf,
  rememberRefreshHint,
  tokensFromAnswer,
  tokenUrl,
} from './oauth.ts';

/** The Kimi Code API base (kimi-cli `platforms.py`, kimi-code `managed-usage`). */
export const KIMI_CODE_BASE_URL = 'https://api.kimi.com/coding/v1';

/** The OAuth storage key both CLIs use for the Kimi Code login. */
export const KIMI_CODE_OAUTH_KEY = 'oauth/kimi-code';

/** What both Kimi CLIs know about the providers of their logins and keys. */
export const KIMI_PROVIDERS: Readonly<Record<ProviderId, ProviderFacts>> = {
  [KnownProvider.kimi]: {
    keyPage: 'https://www.kimi.com/code/console',
    loginPolicy: {
      stance: 'warn',
      requiresOptIn: false,
      note: 'Kimi For Coding serves coding agents only; Moonshot publishes no rule on other tools using the login.',
      asOf: '2026-09-06',
    },
    externalGatewayPlugin: true,
  },
  [KnownProvider.moonshot]: {
    keyPage: 'https://platform.moonshot.cn/console/api-keys',
    externalGatewayPlugin: true,
  },
};

/**
 * The readings of a key pasted for a Kimi CLI, best first: a Kimi Code key (for the coding API),
 * else a Moonshot platform key. The two look alike, so validation picks the one that works.
 *
 * @param _token - the pasted key (its shape does not tell the two apart)
 */
export function kimiPastedCandidates(_token: string): PastedCandidate[] {
  return [
    {
      provider: KnownProvider.kimi,
      kind: 'api_key',
      label: 'Kimi Code key (pasted)',
      baseUrl: KIMI_CODE_BASE_URL,
    },
    { provider: KnownProvider.moonshot, kind: 'api_key', label: 'Moonshot key (pasted)' },
  ];
}

/** Schema of `credentials/<name>.json` (`TokenInfoWire`): `expires_at` is unix seconds, a float. */
export const KimiTokenFileSchema = z.looseObject({
  access_token: z.string(),
  refresh_token: z.nullish(z.string()),
  expires_at: z.nullish(z.number()),
  scope: z.nullish(z.string()),
  token_type: z.nullish(z.string()),
  expires_in: z.nullish(z.number()),
});

/** The parsed Kimi token file. */
export type KimiTokenFile = z.infer<typeof KimiTokenFileSchema>;

const OAuthRefSchema = z.looseObject({
  storage: z.nullish(z.string()),
  key: z.string(),
  // kimi-code keeps the OAuth host of a login made on another platform (`auth.kimi.ai`).
  oauth_host: z.nullish(z.string()),
});

/** Schema of one `[providers.<name>]` table (kimi-cli `LLMProvider`, kimi-code `ProviderConfig`). */
export const KimiProviderTableSchema = z.looseObject({
  type: z.nullish(z.string()),
  base_url: z.nullish(z.string()),
  api_key: z.nullish(z.string()),
  oauth: z.nullish(OAuthRefSchema),
  env: z.nullish(z.record(z.string(), z.string())),
});

// Provider tables are checked one by one afterwards, so one bad table does not hide the others.
const ConfigTopSchema = z.looseObject({
  providers: z.nullish(z.record(z.string(), z.unknown())),
});

/** One provider table of a Kimi config, checked. */
export interface KimiProvider {
  /** The table's name (`managed:kimi-code`, `moonshot-ai`, …). */
  readonly name: string;
  readonly table: z.infer<typeof KimiProviderTableSchema>;
}

/** A Kimi config file that was read: its path and its valid provider tables. */
export interface KimiConfig {
  readonly path: string;
  readonly providers: KimiProvider[];
}

/** The outcome of looking for a config file: absent, unusable (an issue was recorded), or read. */
export type KimiConfigRead =
  | { readonly status: 'missing' }
  | { readonly status: 'unusable' }
  | { readonly status: 'ok'; readonly config: KimiConfig };

/**
 * Reads a Kimi config (TOML, or kimi-cli's legacy JSON) and checks each provider table on its
 * own. Bad tables become one INVALID_SHAPE issue for the file naming the fields; good tables are kept.
 *
 * @param out - the adapter's collector
 * @param path - config.toml or config.json
 * @param format - how to parse it
 */
export async function readKimiConfig(
  out: SourceCollector,
  path: string,
  format: 'toml' | 'json',
): Promise<KimiConfigRead> {
  const read = await readTextFile(path, out.ctx.maxFileBytes);
  if (read.status === 'missing') {
    out.checked(path, 'missing', 'does not exist');
    return { status: 'missing' };
  }
  const text = out.settle(path, read);
  if (text === undefined) return { status: 'unusable' };
  const parsed = out.settle(path, format === 'toml' ? parseTomlText(text) : parseJsonText(text));
  if (parsed === undefined) return { status: 'unusable' };
  const top = out.settle(path, checkShape(ConfigTopSchema, parsed));
  if (top === undefined) return { status: 'unusable' };

  const providers: KimiProvider[] = [];
  const bad: z.core.$ZodIssue[] = [];
  for (const [name, raw] of Object.entries(top.providers ?? {})) {
    const r = KimiProviderTableSchema.safeParse(raw);
    if (r.success) providers.push({ name, table: r.data });
    else
      for (const issue of r.error.issues)
        bad.push({ ...issue, path: ['providers', name, ...issue.path] } as z.core.$ZodIssue);
  }
  if (bad.length > 0) out.problem(path, CtdErrorCode.INVALID_SHAPE, describeShapeError({ issues: bad }));
  return { status: 'ok', config: { path, providers } };
}

function hostAndPath(url: string | null | undefined): { host: string; path: string } | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return { host: u.hostname.toLowerCase(), path: u.pathname };
  } catch {
    return undefined;
  }
}

// Known API hosts decide the provider whatever the table's wire type: an `openai_legacy` table
// pointing at api.moonshot.ai holds a Moonshot key.
const HOST_PROVIDERS: ReadonlyArray<readonly [RegExp, ProviderId]> = [
  [/(^|\.)kimi\.(com|ai)$/, KnownProvider.kimi],
  [/(^|\.)moonshot\.(ai|cn)$/, KnownProvider.moonshot],
  [/(^|\.)openrouter\.ai$/, KnownProvider.openrouter],
  [/(^|\.)deepseek\.com$/, KnownProvider.deepseek],
  [/(^|\.)dashscope(-intl)?\.aliyuncs\.com$/, KnownProvider.qwen],
  [/(^|\.)openai\.com$/, KnownProvider.openai],
  [/(^|\.)anthropic\.com$/, KnownProvider.anthropic],
  [/(^|\.)googleapis\.com$/, KnownProvider.google],
];

const TYPE_PROVIDERS: Readonly<Record<string, ProviderId>> = {
  openai: KnownProvider.openai,
  openai_legacy: KnownProvider.openai,
  openai_responses: KnownProvider.openai,
  anthropic: KnownProvider.anthropic,
  gemini: KnownProvider.google,
  google_genai: KnownProvider.google,
  'google-genai': KnownProvider.google,
  vertexai: KnownProvider.google,
};

/**
 * The OpenClaw provider id of a Kimi provider table: a known API host first, then the wire type.
 * A `kimi`-type table on an unknown host is Kimi Code when its path is the coding API, else
 * Moonshot (kimi-code's default base for that type is api.moonshot.ai). Internal test types
 * (`_echo`, `_chaos`, …) give undefined.
 *
 * @param type - the table's `type`
 * @param baseUrl - the table's `base_url`
 */
export function kimiProviderFor(
  type: string | null | undefined,
  baseUrl: string | null | undefined,
): ProviderId | undefined {
  const where = hostAndPath(baseUrl);
  if (where) for (const [re, provider] of HOST_PROVIDERS) if (re.test(where.host)) return provider;
  const t = (type ?? 'kimi').trim().toLowerCase();
  if (t === 'kimi' || t === '')
    return where?.path.includes('/coding') ? KnownProvider.kimi : KnownProvider.moonshot;
  if (t.startsWith('_')) return undefined;
  return TYPE_PROVIDERS[t] ?? t;
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  kimi: 'Kimi Code',
  moonshot: 'Moonshot',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  openrouter: 'OpenRouter',
  deepseek: 'DeepSeek',
  qwen: 'Qwen',
};

/**
 * A TOML-style path to a field of a provider table, quoting names that are not bare keys.
 *
 * @param name - the provider table's name
 * @param field - the field inside it (`api_key`, `env.KIMI_API_KEY`)
 */
export function providerField(name: string, field: string): string {
  const key = /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
  return `providers.${key}.${field}`;
}

/**
 * The file name (without `.json`) both CLIs derive from an OAuth key: the last segment after
 * `oauth/`. Undefined when the result could name a file outside `credentials/`.
 *
 * @param key - the `oauth.key` of a provider table
 */
export function credentialFileName(key: string): string | undefined {
  const name =
    key
      .replace(/^oauth\//, '')
      .split('/')
      .at(-1) ?? '';
  if (name === '' || name.startsWith('.') || /[\\\0]/.test(name)) return undefined;
  return name;
}

/** Unix seconds (float) to ms; 0, negative or missing means unknown (kimi-cli writes 0.0 when absent). */
function secondsToMs(seconds: number | null | undefined): number | null {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.round(seconds * 1000)
    : null;
}

/** How one Kimi CLI's store differs from the other's. */
export interface KimiStoreOptions {
  /** The CLI's home (`$KIMI_SHARE_DIR` or `~/.kimi`; `$KIMI_CODE_HOME` or `~/.kimi-code`). */
  readonly home: string;
  /** kimi-cli only: read `config.json` when `config.toml` does not exist (it migrates it). */
  readonly legacyJsonConfig: boolean;
  /** What to tell the user when the login is in the OS keyring. */
  readonly keyringNote: string;
}

/** Kimi Code's public OAuth client id (both CLIs, `KIMI_CODE_FLOW_CONFIG`). */
export const KIMI_CODE_CLIENT_ID = '17e5f671-d194-4dfb-9706-5516cb48c098';

/**
 * The client version sent as `X-Msh-Version`. [U] The CLIs send their own package version; the
 * server is not known to check it.
 */
const KIMI_CLIENT_VERSION = '1.0.0';

/** Kimi refreshes when less than max(300 s, ½·expires_in) of the token's life is left. */
const KIMI_MIN_AHEAD_MS = 300_000;

/**
 * The device headers kimi-cli sends with every OAuth call (`_common_headers`). The device id is
 * the CLI's own (`<home>/device_id`) when the scan found one; else one derived from the store's
 * path, stable across runs. [U] kimi-code's platform value and device-id file are assumed to be
 * kimi-cli's.
 */
function kimiHeaders(ctx: ScanContext, credential: DiscoveredCredential): Record<string, string> {
  const ascii = (v: string) => v.replace(/[^\x20-\x7e]/g, '?').trim() || 'unknown';
  const deviceId =
    refreshHintOf(credential).deviceId ??
    sha256Hex(`kimi-device:${storePathOf(credential) ?? credential.id}`).slice(0, 32);
  return {
    'X-Msh-Platform': 'kimi_cli',
    'X-Msh-Version': KIMI_CLIENT_VERSION,
    'X-Msh-Device-Name': ascii(ctx.hostname),
    'X-Msh-Device-Model': ascii(`${osType()} ${arch()}`),
    'X-Msh-Os-Version': ascii(release()),
    'X-Msh-Device-Id': deviceId,
  };
}

/**
 * Kimi's refresh (kimi-cli `oauth.py`, kimi-code `packages/oauth`): a form
 * `{client_id, grant_type, refresh_token}` to `{host}/api/oauth/token` with the device headers.
 * Every answer carries a new refresh token (rotating); 401 and 403 mean the login is dead.
 */
export const kimiRefreshSpec: OAuthRefreshSpec = {
  rotating: true,
  request(ctx, credential) {
    // The login's own OAuth host (kimi-code's `oauth_host`) is the default for its refresh; the
    // `CTD_*` and the CLI's variables still win.
    const own = refreshHintOf(credential).oauthHost;
    return {
      url: tokenUrl(own ? { ...OAUTH_ENDPOINTS.kimi, defaultBase: own } : OAUTH_ENDPOINTS.kimi, ctx.env),
      headers: kimiHeaders(ctx, credential),
      body: {
        type: 'form',
        value: {
          client_id: KIMI_CODE_CLIENT_ID,
          grant_type: 'refresh_token',
          refresh_token: refreshTokenOf(credential),
        },
      },
    };
  },
  parse(status, body, now) {
    if (status >= 200 && status < 300) {
      // kimi-cli refuses an answer without any of these (and so keeps the old, already spent, token).
      return tokensFromAnswer('Kimi', status, body, now, [
        'access_token',
        'refresh_token',
        'expires_in',
        'scope',
        'token_type',
      ]);
    }
    return failedRefresh('Kimi', status, body, { permanentStatuses: [401, 403] });
  },
  refreshAt(credential) {
    const exp = expiryOf(credential);
    if (exp === null) return null;
    const lifetime = refreshHintOf(credential).expiresInSeconds;
    return exp - Math.max(KIMI_MIN_AHEAD_MS, lifetime ? lifetime * 500 : 0);
  },
};

/**
 * The refresh of a Kimi login found in a credentials JSON file (both Kimi CLIs keep it so); a key
 * or a login without a refresh token has none.
 *
 * @param credential - a credential of either Kimi CLI
 */
export function kimiRefreshSpecFor(credential: CredentialInfo): OAuthRefreshSpec | undefined {
  if (credential.kind !== 'oauth' || !credential.hasRefreshToken) return undefined;
  const o = credential.origin;
  return o.type === 'file' && o.field === 'access_token' && o.path.endsWith('.json')
    ? kimiRefreshSpec
    : undefined;
}

/**
 * Whether a credential is a Kimi OAuth login in a token file of this home (`credentials/*.json`).
 *
 * @param home - the CLI's home
 * @param credential - the credential
 */
export function isKimiLogin(
  home: string,
  credential: Pick<DiscoveredCredential, 'origin' | 'kind'>,
): boolean {
  const path = storePathOf(credential);
  return Boolean(
    path &&
      dirname(path) === join(home, 'credentials') &&
      path.endsWith('.json') &&
      credential.kind !== 'api_key',
  );
}

/**
 * Writes a refreshed Kimi login into its token file, as the CLI does: `access_token`,
 * `refresh_token`, `expires_at` (unix seconds, a float) and `expires_in`; `scope`, `token_type`
 * and unknown fields kept, in kimi-cli's one-line or kimi-code's indented layout.
 *
 * @param ctx - the scan context
 * @param home - the CLI's home
 * @param credential - the login refreshed (as read inside the lock)
 * @param tokens - the new tokens
 */
export async function writeBackKimiLogin(
  ctx: ScanContext,
  home: string,
  credential: DiscoveredCredential,
  tokens: RefreshedTokens,
): Promise<void> {
  const path = storePathOf(credential);
  if (!path || !isKimiLogin(home, credential)) {
    throw new CtdError(
      'BAD_USAGE',
      `${credential.id} is not a Kimi login under ${join(home, 'credentials')}`,
    );
  }
  await rewriteJsonStore(ctx, path, 'a Kimi login', (store) => {
    // The file names no account: the refresh token is the chain. If it moved on, the CLI
    // refreshed in between (or logged in again), and its tokens are the ones to keep.
    if (store.refresh_token !== credential.refreshSecret?.reveal()) throw storeMovedOn(path, 'changed');
    store.access_token = tokens.accessToken;
    if (tokens.refreshToken) store.refresh_token = tokens.refreshToken;
    if (tokens.expiresAtMs !== undefined) store.expires_at = tokens.expiresAtMs / 1000;
    if (tokens.expiresInSeconds !== undefined) store.expires_in = tokens.expiresInSeconds;
  });
}

/** The CLI's device id (`<home>/device_id`, uuid4 hex), or undefined. Never an issue: it is optional. */
async function readDeviceId(home: string): Promise<string | undefined> {
  const read = await readTextFile(join(home, 'device_id'), 1024);
  if (read.status !== 'ok') return undefined;
  const id = read.value.trim();
  return /^[A-Za-z0-9-]{8,64}$/.test(id) ? id : undefined;
}

interface OAuthSlot {
  keyring: boolean;
  baseUrl: string | undefined;
  oauthHost?: string | undefined;
}

/**
 * Scans one Kimi home: the OAuth logins in `credentials/*.json` (the default `kimi-code` slot and
 * any other slot a provider table refers to) and the API keys in the provider tables.
 *
 * @param out - the adapter's collector
 * @param options - where the store is and how it differs between the CLIs
 */
export async function scanKimiStore(out: SourceCollector, options: KimiStoreOptions): Promise<void> {
  const tomlPath = join(options.home, 'config.toml');
  let read = await readKimiConfig(out, tomlPath, 'toml');
  if (read.status === 'missing' && options.legacyJsonConfig) {
    read = await readKimiConfig(out, join(options.home, 'config.json'), 'json');
  }
  const config = read.status === 'ok' ? read.config : undefined;
  if (config) out.checked(config.path, 'found', `${config.providers.length} provider table(s)`);

  // OAuth slots: the default one always (a config that fails to parse must not hide the login),
  // plus every slot a provider table names (kimi-code's scoped `kimi-code-env-<hash>` logins).
  const slots = new Map<string, OAuthSlot>([['kimi-code', { keyring: false, baseUrl: undefined }]]);
  for (const { name, table } of config?.providers ?? []) {
    if (!table.oauth) continue;
    const file = credentialFileName(table.oauth.key);
    if (!file) {
      out.checked(
        config?.path ?? tomlPath,
        'skipped',
        `${providerField(name, 'oauth.key')} is not a plain name`,
      );
      continue;
    }
    const slot = slots.get(file) ?? { keyring: false, baseUrl: undefined };
    slot.keyring ||= table.oauth.storage === 'keyring';
    slot.baseUrl ??= table.base_url?.trim() || undefined;
    slot.oauthHost ??= table.oauth.oauth_host?.trim() || undefined;
    slots.set(file, slot);
  }
  const deviceId = await readDeviceId(options.home);
  for (const [file, slot] of slots)
    await readOAuthSlot(out, options, config?.path ?? tomlPath, file, slot, deviceId);

  for (const provider of config?.providers ?? []) readProviderKeys(out, config?.path ?? tomlPath, provider);
}

async function readOAuthSlot(
  out: SourceCollector,
  options: KimiStoreOptions,
  configPath: string,
  file: string,
  slot: OAuthSlot,
  deviceId: string | undefined,
): Promise<void> {
  const path = join(options.home, 'credentials', `${file}.json`);
  const read = await readTextFile(path, out.ctx.maxFileBytes);
  if (read.status === 'missing') {
    if (slot.keyring) {
      out.problem(
        configPath,
        CtdErrorCode.IN_OS_KEYRING,
        `says storage = "keyring" for the OAuth login and there is no credentials/${file}.json: ${options.keyringNote}`,
        'info',
      );
    } else {
      out.checked(path, 'missing', 'does not exist');
    }
    return;
  }
  const text = out.settle(path, read);
  if (text === undefined) return;
  const parsed = out.settle(path, parseJsonText(text));
  if (parsed === undefined) return;
  const token = out.settle(path, checkShape(KimiTokenFileSchema, parsed));
  if (token === undefined) return;

  const access = token.access_token.trim();
  if (!access) {
    out.checked(path, 'empty', 'holds no access token');
    return;
  }
  const refresh = token.refresh_token?.trim() || undefined;
  const credential = out.found({
    provider: KnownProvider.kimi,
    kind: refresh ? 'oauth' : 'token',
    label: 'Kimi Code login',
    secret: access,
    refreshToken: refresh,
    expiresAt: secondsToMs(token.expires_at),
    origin: { type: 'file', path, field: 'access_token' },
    baseUrl: slot.baseUrl ?? (file === 'kimi-code' ? KIMI_CODE_BASE_URL : undefined),
  });
  const expiresIn =
    typeof token.expires_in === 'number' && token.expires_in > 0 ? token.expires_in : undefined;
  if (refresh) {
    rememberRefreshHint(credential, {
      ...(expiresIn !== undefined ? { expiresInSeconds: expiresIn } : {}),
      ...(deviceId ? { deviceId } : {}),
      ...(slot.oauthHost ? { oauthHost: slot.oauthHost } : {}),
    });
  }
  out.checked(
    path,
    'found',
    refresh ? 'OAuth login with a refresh token' : 'access token without a refresh token',
  );
}

function readProviderKeys(out: SourceCollector, configPath: string, { name, table }: KimiProvider): void {
  const baseUrl = table.base_url?.trim() || undefined;
  const apiKey = table.api_key?.trim();
  if (apiKey) {
    const provider = kimiProviderFor(table.type, baseUrl);
    if (provider) {
      out.found({
        provider,
        kind: 'api_key',
        label: `${PROVIDER_NAMES[provider] ?? provider} API key (provider "${name}")`,
        secret: apiKey,
        origin: { type: 'file', path: configPath, field: providerField(name, 'api_key') },
        baseUrl,
      });
    }
  }
  // `[providers.<name>.env]`: provider-conventional names (KIMI_API_KEY, OPENAI_API_KEY, …) as a
  // fallback for api_key, with `<PREFIX>_BASE_URL` as a fallback for base_url (kimi-code docs).
  for (const [variable, value] of Object.entries(table.env ?? {})) {
    const key = value.trim();
    const m = /^(.+)_API_KEY$/.exec(variable);
    if (!m || !key) continue;
    const envBase = table.env?.[`${m[1]}_BASE_URL`]?.trim() || undefined;
    const provider = kimiProviderFor(table.type, baseUrl ?? envBase);
    if (!provider) continue;
    out.found({
      provider,
      kind: 'api_key',
      label: `${PROVIDER_NAMES[provider] ?? provider} API key (provider "${name}", env ${variable})`,
      secret: key,
      origin: { type: 'file', path: configPath, field: providerField(name, `env.${variable}`) },
      baseUrl: baseUrl ?? envBase,
    });
  }
}
