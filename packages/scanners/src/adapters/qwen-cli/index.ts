import { join } from 'node:path';
import { CtdError, type Origin, type ProviderId } from '@ctd/core';
import { sha256Hex, withExclusiveLockFile, writeFileAtomic } from '@ctd/core/node';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { checkShape, parseJsonText, readTextFile } from '../../read.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { projectDirs } from '../_shared/project.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the Qwen Code adapter. */
export const QWEN_SOURCE = 'qwen-cli' as const;

/** The API base Qwen Code uses for a portal login whose `resource_url` is missing. */
export const QWEN_DEFAULT_BASE_URL = 'https://dashscope.aliyuncs.com/compatible-mode/v1';

/** The Coding Plan endpoint (China region), used when the settings name no other. */
export const QWEN_CODING_PLAN_BASE_URL = 'https://coding.dashscope.aliyuncs.com/v1';

/** Where Alibaba Cloud Model Studio issues API keys (Model Studio and Coding Plan). */
const QWEN_KEY_PAGE = 'https://bailian.console.aliyun.com/?apiKey=1#/api-key';

/** The prefix of Coding Plan keys (`sk-sp-…`); other Model Studio keys start with `sk-`. */
const CODING_PLAN_KEY_PREFIX = 'sk-sp-';

const CODING_PLAN_VAR = 'BAILIAN_CODING_PLAN_API_KEY';

/** The variable of a Model Studio Token Plan key (Qwen Code 0.24's `token-plan` provider). */
const TOKEN_PLAN_VAR = 'BAILIAN_TOKEN_PLAN_API_KEY';
/** OpenClaw's provider for Token Plan keys. */
const TOKEN_PLAN_PROVIDER: ProviderId = 'qwen-token-plan';
/** Qwen Code 0.24's Token Plan endpoint (China region), used when the settings name no other. */
const TOKEN_PLAN_BASE_URL = 'https://token-plan.cn-beijing.maas.aliyuncs.com/compatible-mode/v1';

/** Qwen Code breaks an `oauth_creds.lock` whose mtime is older than this (`DEFAULT_LOCK_CONFIG`). */
const QWEN_LOCK_STALE_MS = 10_000;
/** About Qwen Code's own wait: 20 attempts, 100 ms growing ×1.5 up to 2 s. */
const QWEN_LOCK_TIMEOUT_MS = 30_000;

const OAuthCredsSchema = z.looseObject({
  access_token: z.string(),
  refresh_token: z.nullish(z.string()),
  token_type: z.nullish(z.string()),
  expiry_date: z.nullish(z.number()),
  resource_url: z.nullish(z.string()),
});

const optString = z.nullish(z.string());

// Each settings section is checked on its own, so one malformed section does not hide the
// keys in the others. Wrapping each in its top-level key keeps field paths in reasons complete.
const SecuritySection = z.object({
  security: z.nullish(
    z.looseObject({
      auth: z.nullish(z.looseObject({ selectedType: optString, apiKey: optString, baseUrl: optString })),
    }),
  ),
});
const EnvSection = z.object({ env: z.nullish(z.record(z.string(), z.unknown())) });
const ProvidersSection = z.object({
  modelProviders: z.nullish(
    z.record(
      z.string(),
      z.nullish(
        z.array(z.looseObject({ id: optString, name: optString, baseUrl: optString, envKey: optString })),
      ),
    ),
  ),
});
const CodingPlanSection = z.object({
  codingPlan: z.nullish(z.looseObject({ baseUrl: optString })),
});
// Qwen Code 0.24 keeps each built-in provider's facts under `providerMetadata.<id>`
// (`coding-plan`, `token-plan`), replacing the top-level `codingPlan`.
const ProviderMetadataSection = z.object({
  providerMetadata: z.nullish(z.record(z.string(), z.nullish(z.looseObject({ baseUrl: optString })))),
});

/** Variables in the settings `env` map that hold keys, and the provider each key is for. */
const KNOWN_KEY_VARS: Readonly<Record<string, ProviderId>> = {
  [CODING_PLAN_VAR]: KnownProvider.qwen,
  DASHSCOPE_API_KEY: KnownProvider.qwen,
  BAILIAN_API_KEY: KnownProvider.qwen,
  QWEN_API_KEY: KnownProvider.qwen,
  MODELSTUDIO_API_KEY: KnownProvider.qwen,
  // OpenClaw files Token Plan keys under a provider of their own.
  [TOKEN_PLAN_VAR]: TOKEN_PLAN_PROVIDER,
  OPENAI_API_KEY: KnownProvider.openai,
};

/** Process variables that Qwen Code (or its Model Studio providers) read a key from. */
const PROCESS_KEY_VARS = ['DASHSCOPE_API_KEY', CODING_PLAN_VAR] as const;

function qwenHome(ctx: ScanContext): string {
  // Qwen Code has no home override (no QWEN_HOME); QWEN_RUNTIME_DIR moves only runtime output.
  return join(ctx.home, '.qwen');
}

/**
 * The API base URL of a Qwen portal login, from `oauth_creds.json`'s `resource_url`, the way
 * Qwen Code derives it: the DashScope default when missing, `https://` added when there is no
 * scheme, and `/v1` appended unless already there.
 *
 * @param resourceUrl - the stored `resource_url`
 * @example qwenBaseUrl('portal.qwen.ai') // 'https://portal.qwen.ai/v1'
 */
export function qwenBaseUrl(resourceUrl: string | null | undefined): string {
  const raw = resourceUrl?.trim().replace(/\/+$/, '');
  if (!raw) return QWEN_DEFAULT_BASE_URL;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  return withScheme.endsWith('/v1') ? withScheme : `${withScheme}/v1`;
}

/** The provider an OpenAI-compatible base URL belongs to, for the hosts we know. */
function providerForUrl(url: string | undefined): ProviderId | undefined {
  if (!url) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const under = (domain: string) => host === domain || host.endsWith(`.${domain}`);
  if (under('aliyuncs.com') || under('alibabacloud.com') || under('qwen.ai')) return KnownProvider.qwen;
  if (under('openai.com')) return KnownProvider.openai;
  if (under('openrouter.ai')) return KnownProvider.openrouter;
  if (under('deepseek.com')) return KnownProvider.deepseek;
  if (under('moonshot.cn') || under('moonshot.ai')) return KnownProvider.moonshot;
  if (under('kimi.com')) return KnownProvider.kimi;
  if (under('anthropic.com')) return KnownProvider.anthropic;
  if (under('googleapis.com')) return KnownProvider.google;
  return undefined;
}

/** Whether a Model Studio key is a Token Plan key: its variable, or a `token-plan.` endpoint. */
function isTokenPlan(variable: string | undefined, baseUrl: string | undefined): boolean {
  if (variable === TOKEN_PLAN_VAR) return true;
  try {
    return baseUrl ? new URL(baseUrl).hostname.toLowerCase().startsWith('token-plan.') : false;
  } catch {
    return false;
  }
}

/**
 * The provider of a key configured for an auth type: the base URL's host when we know it, else
 * the auth type's provider. Qwen Code's `openai` auth type serves Model Studio by default; a
 * Token Plan key is OpenClaw's `qwen-token-plan`.
 */
function providerFor(
  baseUrl: string | undefined,
  authType: string | undefined,
  variable?: string,
): ProviderId {
  const byUrl = providerForUrl(baseUrl);
  if (byUrl === KnownProvider.qwen && isTokenPlan(variable, baseUrl)) return TOKEN_PLAN_PROVIDER;
  if (byUrl) return byUrl;
  if (variable === TOKEN_PLAN_VAR) return TOKEN_PLAN_PROVIDER;
  if (authType === 'anthropic') return KnownProvider.anthropic;
  if (authType === 'gemini' || authType === 'vertex-ai') return KnownProvider.google;
  return KnownProvider.qwen;
}

/** A settings string after `$VAR` / `${VAR}` references are replaced from the process env. */
interface Resolved {
  readonly value: string;
  /** Referenced variables that are not set (their references are left as they were). */
  readonly unset: string[];
  /** Every referenced variable. */
  readonly refs: string[];
}

function resolveRefs(value: string, env: ScanContext['env']): Resolved {
  const unset: string[] = [];
  const refs: string[] = [];
  // The same reference syntax Qwen Code resolves when it loads settings.
  const resolved = value.replace(/\$(?:(\w+)|\{([^}]+)\})/g, (match, bare?: string, braced?: string) => {
    const name = (bare ?? braced) as string;
    refs.push(name);
    const v = env[name];
    if (v === undefined) {
      unset.push(name);
      return match;
    }
    return v;
  });
  return { value: resolved.trim(), unset, refs };
}

function describeRefs(refs: readonly string[]): string {
  return refs.map((r) => `$${r}`).join(', ');
}

function isCodingPlan(variable: string | undefined, key: string): boolean {
  return variable === CODING_PLAN_VAR || key.startsWith(CODING_PLAN_KEY_PREFIX);
}

/** Where a key was found, as a location name: `$VAR` or `path#field`. */
function originKey(origin: Origin): string {
  if (origin.type === 'env') return `$${origin.variable}`;
  if (origin.type === 'file') return `${origin.path}#${origin.field}`;
  if (origin.type === 'manual') return `manual:${origin.via}`;
  return `${origin.path}#${origin.variable}`;
}

/** One key found in the settings or the environment, before it becomes a credential. */
interface KeyCandidate {
  readonly origin: Origin;
  readonly raw: string;
  readonly provider: ProviderId;
  readonly baseUrl?: string | undefined;
  /** The variable the key is known by, when it is one (for labels and the Coding Plan default). */
  readonly variable?: string | undefined;
}

/** Checks one settings section, reporting a malformed one; returns it when it is usable. */
function section<T>(
  out: SourceCollector,
  path: string,
  schema: z.core.$ZodType<T>,
  raw: unknown,
): T | undefined {
  const r = checkShape(schema, raw);
  if (r.status === 'ok') return r.value;
  if (r.status === 'error') out.problem(path, r.code, r.reason);
  return undefined;
}

async function scanOAuth(out: SourceCollector, path: string): Promise<void> {
  const creds = await out.readJson(path, OAuthCredsSchema);
  if (!creds) return;
  const access = creds.access_token.trim();
  if (!access) {
    out.checked(path, 'empty', 'holds no access token');
    return;
  }
  const refresh = creds.refresh_token?.trim() || undefined;
  const expiry = creds.expiry_date;
  out.found({
    provider: KnownProvider.qwenPortal,
    kind: refresh ? 'oauth' : 'token',
    label: 'Qwen OAuth login (portal)',
    secret: access,
    refreshToken: refresh,
    expiresAt: typeof expiry === 'number' && expiry > 0 ? expiry : null,
    origin: { type: 'file', path, field: 'access_token' },
    baseUrl: qwenBaseUrl(creds.resource_url),
  });
  out.checked(
    path,
    'found',
    refresh
      ? 'Qwen portal OAuth login (the free tier ended 2026-04-15: expect it to be rejected)'
      : 'Qwen portal access token without a refresh token (Qwen Code treats the file as invalid)',
  );
}

/** What the settings file yields: keys to record, and the Coding Plan base URL it names. */
interface SettingsKeys {
  /** Whether the file was read and parsed. */
  readonly read: boolean;
  readonly candidates: KeyCandidate[];
  readonly codingPlanUrl: string;
  /** The Token Plan base URL it names (`providerMetadata.token-plan`), or the default. */
  readonly tokenPlanUrl: string;
  /** How many distinct keys it names (a key named by several `modelProviders` entries counts once). */
  readonly keyCount: number;
}

async function scanSettings(out: SourceCollector, path: string): Promise<SettingsKeys> {
  const env = out.ctx.env;
  const candidates: KeyCandidate[] = [];
  const settings = await out.readJson(path, z.looseObject({}));
  if (!settings)
    return {
      read: false,
      candidates,
      codingPlanUrl: QWEN_CODING_PLAN_BASE_URL,
      tokenPlanUrl: TOKEN_PLAN_BASE_URL,
      keyCount: 0,
    };

  const security = section(out, path, SecuritySection, settings)?.security?.auth;
  const envMap = section(out, path, EnvSection, settings)?.env ?? {};
  const providers = section(out, path, ProvidersSection, settings)?.modelProviders ?? {};
  const metadata = section(out, path, ProviderMetadataSection, settings)?.providerMetadata ?? {};
  const codingPlan = metadata['coding-plan'] ?? section(out, path, CodingPlanSection, settings)?.codingPlan;

  const resolveUrl = (value: string | null | undefined): string | undefined => {
    if (!value) return undefined;
    const r = resolveRefs(value, env);
    return r.unset.length || !r.value ? undefined : r.value;
  };
  const settingsVar = (name: string): string | undefined => {
    const v = envMap[name];
    return typeof v === 'string' && v.trim() ? v : undefined;
  };

  // modelProviders first: an entry names both the key's variable and the base URL it is for.
  for (const [authType, entries] of Object.entries(providers)) {
    for (const [index, entry] of (entries ?? []).entries()) {
      const envKey = entry.envKey?.trim();
      if (!envKey) continue;
      const baseUrl = resolveUrl(entry.baseUrl);
      const provider = providerFor(baseUrl, authType, envKey);
      const inSettings = settingsVar(envKey);
      const inProcess = env[envKey]?.trim();
      if (inSettings !== undefined) {
        const origin: Origin = { type: 'file', path, field: `env.${envKey}` };
        candidates.push({ origin, raw: inSettings, provider, baseUrl, variable: envKey });
      } else if (inProcess) {
        const origin: Origin = { type: 'env', variable: envKey };
        candidates.push({ origin, raw: inProcess, provider, baseUrl, variable: envKey });
      } else {
        out.checked(
          `${path}#modelProviders.${authType}[${index}].envKey`,
          'missing',
          `names $${envKey}, which is set neither in the settings env nor in the environment`,
        );
      }
    }
  }

  const apiKey = security?.apiKey;
  if (typeof apiKey === 'string' && apiKey.trim()) {
    const baseUrl = resolveUrl(security?.baseUrl);
    candidates.push({
      origin: { type: 'file', path, field: 'security.auth.apiKey' },
      raw: apiKey,
      provider: providerFor(baseUrl, security?.selectedType ?? undefined),
      baseUrl,
    });
  }

  for (const [name, provider] of Object.entries(KNOWN_KEY_VARS)) {
    const raw = settingsVar(name);
    if (raw === undefined) continue;
    let p = provider;
    let baseUrl: string | undefined;
    if (name === 'OPENAI_API_KEY') {
      // Qwen Code's openai auth type sends this key to OPENAI_BASE_URL (OpenAI when unset).
      baseUrl = resolveUrl(settingsVar('OPENAI_BASE_URL') ?? env.OPENAI_BASE_URL);
      p = providerForUrl(baseUrl) ?? KnownProvider.openai;
    }
    const origin: Origin = { type: 'file', path, field: `env.${name}` };
    candidates.push({ origin, raw, provider: p, baseUrl, variable: name });
  }
  return {
    read: true,
    candidates,
    codingPlanUrl: resolveUrl(codingPlan?.baseUrl) ?? QWEN_CODING_PLAN_BASE_URL,
    tokenPlanUrl: resolveUrl(metadata['token-plan']?.baseUrl) ?? TOKEN_PLAN_BASE_URL,
    keyCount: new Set(candidates.map((c) => originKey(c.origin))).size,
  };
}

/** Records the keys: one per place, references resolved, Coding Plan keys given their endpoint. */
function recordKeys(
  out: SourceCollector,
  candidates: readonly KeyCandidate[],
  codingPlanUrl: string,
  tokenPlanUrl: string,
): void {
  const seen = new Set<string>();
  for (const c of candidates) {
    const place = originKey(c.origin);
    if (seen.has(place)) continue;
    seen.add(place);
    // Only settings values may hold references; a process variable is taken as it is.
    const r =
      c.origin.type === 'env'
        ? { value: c.raw.trim(), unset: [], refs: [] }
        : resolveRefs(c.raw, out.ctx.env);
    if (r.unset.length) {
      out.checked(
        originKey(c.origin),
        'skipped',
        `refers to ${describeRefs(r.unset)}, which is not set: not a credential`,
      );
      continue;
    }
    if (!r.value) {
      out.checked(originKey(c.origin), 'empty', 'is empty');
      continue;
    }
    const codingPlan = c.provider === KnownProvider.qwen && isCodingPlan(c.variable, r.value);
    const tokenPlan = c.provider === TOKEN_PLAN_PROVIDER;
    out.found({
      provider: c.provider,
      kind: 'api_key',
      label: codingPlan
        ? 'Coding Plan key'
        : tokenPlan
          ? 'Token Plan key'
          : c.provider === KnownProvider.qwen
            ? 'Model Studio API key'
            : 'API key',
      secret: r.value,
      origin: c.origin,
      baseUrl: c.baseUrl ?? (codingPlan ? codingPlanUrl : tokenPlan ? tokenPlanUrl : undefined),
    });
    const via = r.refs.length ? ` (through ${describeRefs(r.refs)})` : '';
    out.checked(
      originKey(c.origin),
      'found',
      `${codingPlan ? 'Coding Plan key' : tokenPlan ? 'Token Plan key' : 'API key'} for ${c.provider}${via}`,
    );
  }
}

/**
 * Qwen Code (`QwenLM/qwen-code`): the retired portal OAuth login in `~/.qwen/oauth_creds.json`,
 * Model Studio / Coding Plan / Token Plan keys in `~/.qwen/settings.json` (`security.auth.apiKey`,
 * the `env` map, `modelProviders[].envKey`, `providerMetadata`), and `DASHSCOPE_API_KEY` /
 * `BAILIAN_CODING_PLAN_API_KEY`. Formats checked against `@qwen-code/qwen-code` 0.24.4.
 */
export const qwenCliAdapter: SourceAdapter = {
  id: QWEN_SOURCE,
  displayName: 'Qwen Code',
  aliases: ['qwen'],
  defaultPriority: 3,
  login: { command: 'qwen  (then choose a login in /auth)' },
  loginProvider: KnownProvider.qwen,
  providers: {
    [KnownProvider.qwen]: { keyPage: QWEN_KEY_PAGE, externalGatewayPlugin: true },
    [KnownProvider.qwenPortal]: {
      keyPage: QWEN_KEY_PAGE,
      loginPolicy: {
        stance: 'warn',
        requiresOptIn: true,
        note: 'The Qwen OAuth free tier was discontinued on 2026-04-15; cached tokens are expected to be rejected. Use a Model Studio or Coding Plan key. Store format checked against @qwen-code/qwen-code 0.24.4.',
        asOf: '2026-09-06',
      },
      noGatewayProvider: {
        reason: 'the Qwen portal OAuth was retired on 2026-04-15 and OpenClaw removed its provider',
        whatToDo: `Create a Model Studio or Coding Plan key at ${QWEN_KEY_PAGE} and run \`openclaw token-discovery import-manual qwen -\`.`,
      },
      // The portal no longer refreshes logins: spending the refresh token gains nothing.
      oauthRefresh: false,
    },
    // OpenClaw files Token Plan keys under a provider of their own.
    'qwen-token-plan': {},
  },
  loginHint:
    'run `qwen`, then choose Alibaba Model Studio (Coding Plan or API key) in /auth; the Qwen OAuth free tier has ended',

  recognizePasted(token) {
    // A Coding Plan key only works against the Coding Plan endpoint.
    return isCodingPlan(undefined, token.trim())
      ? [
          {
            provider: KnownProvider.qwen,
            kind: 'api_key',
            label: 'Coding Plan key (pasted)',
            baseUrl: QWEN_CODING_PLAN_BASE_URL,
          },
        ]
      : [{ provider: KnownProvider.qwen, kind: 'api_key', label: 'Model Studio key (pasted)' }];
  },

  oauthRefresh() {
    // The portal's OAuth was retired on 2026-04-15 (see the provider's facts): a refresh would
    // spend the stored refresh token for nothing, and Qwen Code deletes oauth_creds.json on the
    // 400/401 it would get. The login is reported, never refreshed.
    return undefined;
  },

  async writeBack(ctx, credential, tokens) {
    const path = join(qwenHome(ctx), 'oauth_creds.json');
    if (storePathOf(credential) !== path) {
      throw new CtdError(
        'BAD_USAGE',
        `${credential.id} is not the Qwen OAuth login: only oauth_creds.json is refreshed`,
      );
    }
    const read = await readTextFile(path, ctx.maxFileBytes);
    if (read.status === 'missing')
      throw new CtdError('NOT_FOUND', `${path} no longer exists`, { details: { path } });
    if (read.status === 'error')
      throw new CtdError(read.code, `${path} ${read.reason}`, { details: { path } });
    const parsed = parseJsonText(read.value);
    const creds = parsed.status === 'ok' ? parsed.value : undefined;
    if (!creds || typeof creds !== 'object' || Array.isArray(creds)) {
      throw new CtdError('INVALID_SHAPE', `${path} does not hold a Qwen OAuth login`, { details: { path } });
    }
    const store = creds as Record<string, unknown>;
    // Inside the lock the file is the truth: when Qwen Code refreshed (or the user logged in again)
    // since the scan, writing our tokens would undo that.
    if (typeof store.access_token !== 'string' || sha256Hex(store.access_token.trim()) !== credential.hash) {
      throw new CtdError(
        'NOT_FOUND',
        `${path} no longer holds this login (it was refreshed or replaced); scan again`,
        {
          details: { path },
        },
      );
    }
    // Changed in place, so key order and fields Qwen Code may add stay as they were. Qwen Code
    // keeps the old refresh token when the response has none.
    store.access_token = tokens.accessToken;
    if (tokens.refreshToken) store.refresh_token = tokens.refreshToken;
    if (tokens.expiresAtMs !== undefined) store.expiry_date = tokens.expiresAtMs;
    const newline = read.value.endsWith('\n') ? '\n' : '';
    await writeFileAtomic(path, `${JSON.stringify(store, null, 2)}${newline}`);
  },

  files(ctx): StoreFile[] {
    const home = qwenHome(ctx);
    return [
      { path: join(home, 'oauth_creds.json'), format: 'json', holdsSecrets: true },
      { path: join(home, 'settings.json'), format: 'json', holdsSecrets: true },
    ];
  },

  lockProtocol(ctx) {
    // sharedTokenManager.ts: O_EXCL lock file, broken when older than 10 s.
    return {
      kind: 'o-excl',
      lockPath: join(qwenHome(ctx), 'oauth_creds.lock'),
      staleAfterMs: QWEN_LOCK_STALE_MS,
    };
  },

  async withLock(ctx, credential, fn) {
    const oauthPath = join(qwenHome(ctx), 'oauth_creds.json');
    const store = storePathOf(credential);
    if (store !== oauthPath) {
      // Qwen Code locks only its OAuth file; settings are written without a lock.
      return withInProcessLock(store ?? QWEN_SOURCE, fn);
    }
    // Qwen Code's own protocol: O_EXCL lock file holding a UUID, stale after 10 s by mtime,
    // broken by renaming it aside. Qwen gives up after about 29 s of backoff; so do we.
    return withExclusiveLockFile(
      join(qwenHome(ctx), 'oauth_creds.lock'),
      { timeoutMs: QWEN_LOCK_TIMEOUT_MS, staleAfterMs: QWEN_LOCK_STALE_MS, stale: 'mtime' },
      fn,
    );
  },

  async scan(ctx) {
    const out = new SourceCollector(qwenCliAdapter, ctx);
    const home = qwenHome(ctx);
    await scanOAuth(out, join(home, 'oauth_creds.json'));
    const settingsPath = join(home, 'settings.json');
    const { read, candidates, codingPlanUrl, tokenPlanUrl, keyCount } = await scanSettings(out, settingsPath);
    if (read) {
      out.checked(
        settingsPath,
        keyCount ? 'found' : 'empty',
        keyCount ? `names ${keyCount} key(s)` : 'names no API key',
      );
    }
    for (const name of PROCESS_KEY_VARS) {
      const value = out.env(name);
      if (value)
        candidates.push({
          origin: { type: 'env', variable: name },
          raw: value,
          provider: KnownProvider.qwen,
          variable: name,
        });
    }
    // Workspace settings (`<project>/.qwen/settings.json`, walking up from the working directory)
    // name keys the same way and win over the user's where both set one.
    for (const dir of projectDirs(ctx)) {
      const path = join(dir, '.qwen', 'settings.json');
      const project = await scanSettings(out, path);
      if (!project.read) continue;
      out.checked(
        path,
        project.keyCount ? 'found' : 'empty',
        project.keyCount
          ? `workspace settings: names ${project.keyCount} key(s)`
          : 'workspace settings: names no API key',
      );
      recordKeys(out, project.candidates, project.codingPlanUrl, project.tokenPlanUrl);
    }
    recordKeys(out, candidates, codingPlanUrl, tokenPlanUrl);
    return out.result();
  },
};
