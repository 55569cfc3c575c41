import { join } from 'node:path';
import { CtdError, type Origin, type ProviderId } from '@ctd/core';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { checkShape, parseJsonText } from '../../read.ts';
import type { OAuthRefreshSpec, ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { objectAt, rewriteJsonStore, storeMovedOn } from '../_shared/json-store.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { anthropicRefreshSpec, expiryOf, openaiRefreshSpec } from '../_shared/oauth.ts';
import { KnownProvider } from '../providers.ts';
import { readOpencodeDb } from './db.ts';

/** Source id of the opencode adapter. */
export const OPENCODE_SOURCE = 'opencode' as const;

const CONTENT_VAR = 'OPENCODE_AUTH_CONTENT';

// The three entry shapes of opencode's auth store (`packages/opencode/src/auth/index.ts`).
const EntrySchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('oauth'),
    refresh: z.string(),
    access: z.string(),
    expires: z.number(),
    accountId: z.optional(z.string()),
    enterpriseUrl: z.optional(z.string()),
  }),
  z.looseObject({ type: z.literal('api'), key: z.string() }),
  // `key` names the environment variable the token is exported as; the token is the secret.
  z.looseObject({ type: z.literal('wellknown'), key: z.string(), token: z.string() }),
]);
type Entry = z.infer<typeof EntrySchema>;

const AuthFileSchema = z.record(z.string(), z.unknown());

/**
 * opencode provider ids (from models.dev) that name a provider OpenClaw knows by another id,
 * with the API base URL where the opencode id fixes a region. Others keep opencode's id.
 */
const PROVIDER_MAP: Readonly<Record<string, { provider: ProviderId; baseUrl?: string }>> = {
  anthropic: { provider: KnownProvider.anthropic },
  openai: { provider: KnownProvider.openai },
  google: { provider: KnownProvider.google },
  openrouter: { provider: KnownProvider.openrouter },
  deepseek: { provider: KnownProvider.deepseek },
  moonshot: { provider: KnownProvider.moonshot },
  moonshotai: { provider: KnownProvider.moonshot, baseUrl: 'https://api.moonshot.ai/v1' },
  'moonshotai-cn': { provider: KnownProvider.moonshot, baseUrl: 'https://api.moonshot.cn/v1' },
  'kimi-for-coding': { provider: KnownProvider.kimi },
  alibaba: {
    provider: KnownProvider.qwen,
    baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
  },
  'alibaba-cn': {
    provider: KnownProvider.qwen,
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  },
};

/**
 * [U] opencode's auth plugins refresh an entry once `expires` has passed (they check
 * `expires < Date.now()` before a request), with the provider's own endpoint and client.
 */
const atExpiry = (credential: Parameters<typeof expiryOf>[0]) => expiryOf(credential);

/**
 * The refreshes of opencode's OAuth entries whose provider's refresh is known: Anthropic's
 * (Claude's endpoint and client) and OpenAI's ChatGPT login (Codex's). Others (GitHub Copilot,
 * whose `refresh` is a long-lived GitHub token) have none here.
 */
const OPENCODE_REFRESH: Readonly<Record<string, OAuthRefreshSpec>> = {
  anthropic: anthropicRefreshSpec(atExpiry),
  openai: openaiRefreshSpec(atExpiry),
};

/** The auth.json key of an OAuth entry, from its origin field (`<key>.access`; keys may hold dots). */
function entryKeyOf(field: string): string | undefined {
  return field.endsWith('.access') ? field.slice(0, -'.access'.length) : undefined;
}

/** opencode's data directory (`Global.Path.data`): `$XDG_DATA_HOME/opencode`. */
function dataDir(ctx: ScanContext): string {
  const dataHome = ctx.env.XDG_DATA_HOME?.trim();
  return join(dataHome ? dataHome : join(ctx.home, '.local', 'share'), 'opencode');
}

function authPath(ctx: ScanContext): string {
  return join(dataDir(ctx), 'auth.json');
}

/** OpenClaw's provider for OpenCode's own gateway (Zen), which the console accounts log in to. */
const OPENCODE_PROVIDER: ProviderId = 'opencode';

/**
 * The logins in `opencode.db` (1.18): console accounts (`account`, `control_account`) and the v2
 * `credential` table. Their origins name the table and row, never a `<key>.access` field of
 * auth.json, so no refresh or write-back is ever aimed at them (opencode keeps them in SQLite).
 */
async function scanDatabase(out: SourceCollector, ctx: ScanContext): Promise<void> {
  const path = join(dataDir(ctx), 'opencode.db');
  const read = await readOpencodeDb(path);
  if (read.status === 'missing') {
    out.checked(path, 'missing', 'does not exist');
    return;
  }
  if (read.status === 'error') {
    out.problem(path, read.code, read.reason, read.severity);
    return;
  }
  let found = 0;
  for (const a of read.accounts) {
    const access = a.accessToken.trim();
    if (!access) continue;
    const refresh = a.refreshToken.trim() || undefined;
    out.found({
      provider: OPENCODE_PROVIDER,
      kind: refresh ? 'oauth' : 'token',
      label: a.table === 'account' ? 'opencode console login' : 'opencode console login (control)',
      secret: access,
      refreshToken: refresh,
      expiresAt: a.tokenExpiry,
      account: {
        email: a.email || undefined,
        accountId: a.table === 'account' ? a.key || undefined : undefined,
      },
      origin: { type: 'file', path, field: `${a.table}[${a.key}].access_token` },
      baseUrl: a.url || undefined,
    });
    found++;
  }
  for (const c of read.credentials) {
    const entry = CredentialValueSchema.safeParse(c.value);
    const where = `${path}#credential[${c.id}]`;
    if (!entry.success) {
      out.checked(where, 'skipped', 'holds a value of no known shape: opencode ignores it');
      continue;
    }
    const v = entry.data;
    // The same entry shapes as auth.json, under the integration (provider) id.
    const asEntry: Entry =
      v.type === 'key'
        ? { type: 'api', key: v.key }
        : { type: 'oauth', refresh: v.refresh, access: v.access, expires: v.expires };
    if (!secretOf(asEntry)) {
      out.checked(where, 'empty', 'holds an empty secret');
      continue;
    }
    // `credential[<id>].value.<field>`: not an auth.json entry key, so oauthRefresh offers none.
    const field = `credential[${c.id}].value.${v.type === 'key' ? 'key' : 'access'}`;
    recordEntry(out, c.integrationId, asEntry, () => ({ type: 'file', path, field }));
    found++;
  }
  out.checked(
    path,
    found ? 'found' : 'empty',
    found ? `${found} login(s) in account, control_account and credential` : 'holds no logins',
  );
}

// The v2 credential value (`Credential.Value` of opencode 1.18).
const CredentialValueSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('oauth'), refresh: z.string(), access: z.string(), expires: z.number() }),
  z.looseObject({ type: z.literal('key'), key: z.string() }),
]);

// `mcp-auth.json`: `{<mcp server>: {tokens?: {accessToken, refreshToken?, expiresAt?, scope?},
// clientInfo?, codeVerifier?, oauthState?, serverUrl?}}`.
const McpAuthSchema = z.record(
  z.string(),
  z.looseObject({ tokens: z.nullish(z.looseObject({ accessToken: z.string() })) }),
);

/**
 * `mcp-auth.json` holds the OAuth logins of MCP servers: tools, not model providers, so nothing
 * there is a credential to list or import. The scan says how many there are (never their tokens).
 */
async function scanMcpAuth(out: SourceCollector, ctx: ScanContext): Promise<void> {
  const path = join(dataDir(ctx), 'mcp-auth.json');
  const mcp = await out.readJson(path, McpAuthSchema);
  if (!mcp) return;
  const logins = Object.values(mcp).filter((e) => e.tokens?.accessToken.trim()).length;
  out.checked(
    path,
    'skipped',
    logins
      ? `holds ${logins} MCP server login(s): MCP logins are not model credentials, so they are not listed`
      : 'holds no MCP server logins',
  );
}

/** opencode normalises a trailing `/` away from provider keys (well-known URLs are written with one). */
function normaliseKey(key: string): string {
  return key.replace(/\/+$/, '');
}

function describeSkip(value: unknown): string {
  const type =
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as { type?: unknown }).type
      : undefined;
  if (type === 'oauth' || type === 'api' || type === 'wellknown')
    return `a "${type}" entry with missing fields`;
  return typeof type === 'string' ? 'an entry of an unknown type' : 'not an auth entry';
}

function secretOf(entry: Entry): string {
  if (entry.type === 'oauth') return entry.access.trim();
  if (entry.type === 'api') return entry.key.trim();
  return entry.token.trim();
}

function recordEntry(
  out: SourceCollector,
  key: string,
  entry: Entry,
  origin: (field: string) => Origin,
): void {
  const id = normaliseKey(key);
  const secret = secretOf(entry);
  const mapped = PROVIDER_MAP[id];
  const provider = mapped?.provider ?? id;
  switch (entry.type) {
    case 'oauth': {
      const refresh = entry.refresh.trim() || undefined;
      out.found({
        provider,
        kind: refresh ? 'oauth' : 'token',
        label: `${id} login (opencode)`,
        secret,
        refreshToken: refresh,
        // GitHub Copilot entries store 0: the expiry is not known.
        expiresAt: entry.expires > 0 ? entry.expires : null,
        account: entry.accountId ? { accountId: entry.accountId } : undefined,
        origin: origin(`${key}.access`),
        baseUrl: mapped?.baseUrl,
      });
      return;
    }
    case 'api':
      out.found({
        provider,
        kind: 'api_key',
        label: `${id} API key (opencode)`,
        secret,
        origin: origin(`${key}.key`),
        baseUrl: mapped?.baseUrl,
      });
      return;
    case 'wellknown':
      // A well-known entry is keyed by its server's URL, which is both the provider and the base.
      out.found({
        provider: id,
        kind: 'token',
        label: `${id} token (opencode, exported as $${entry.key})`,
        secret,
        origin: origin(`${key}.token`),
        baseUrl: id,
      });
      return;
  }
}

/**
 * opencode (`sst/opencode`): the provider map in `$XDG_DATA_HOME/opencode/auth.json` (default
 * `~/.local/share/opencode/auth.json`), or in `OPENCODE_AUTH_CONTENT` when that is set. OAuth,
 * API-key and well-known entries; entries of no known shape are skipped, as opencode does. Also
 * the console logins and v2 credentials in `opencode.db` (read-only), and the count of MCP logins
 * in `mcp-auth.json`. Formats checked against `opencode-ai` 1.18.33.
 */
export const opencodeAdapter: SourceAdapter = {
  id: OPENCODE_SOURCE,
  displayName: 'opencode',
  aliases: ['opencode'],
  defaultPriority: 6,
  login: { command: 'opencode auth login' },
  // opencode logs in to many providers; a re-login hint points at the most common one.
  loginProvider: KnownProvider.openai,
  providers: {
    'github-copilot': {
      loginPolicy: {
        stance: 'warn',
        requiresOptIn: true,
        note: 'GitHub Copilot tokens are meant for Copilot clients; use by other tools may breach its terms. Store format checked against opencode-ai 1.18.33.',
        asOf: '2026-09-06',
      },
    },
    ...Object.fromEntries(Object.values(PROVIDER_MAP).map((m) => [m.provider, {}])),
  },
  loginHint: 'run `opencode auth login`',

  files(ctx): StoreFile[] {
    return [{ path: authPath(ctx), format: 'json', holdsSecrets: true }];
  },

  lockProtocol() {
    // opencode writes auth.json atomically under a lock of its own process only.
    return { kind: 'in-process' };
  },

  async withLock(ctx, credential, fn) {
    return withInProcessLock(storePathOf(credential) ?? authPath(ctx), fn);
  },

  oauthRefresh(credential) {
    const o = credential.origin;
    if (credential.kind !== 'oauth' || !credential.hasRefreshToken || o.type !== 'file') return undefined;
    const key = entryKeyOf(o.field);
    return key === undefined ? undefined : OPENCODE_REFRESH[normaliseKey(key)];
  },

  async writeBack(ctx, credential, tokens) {
    const path = authPath(ctx);
    const key = credential.origin.type === 'file' ? entryKeyOf(credential.origin.field) : undefined;
    if (storePathOf(credential) !== path || key === undefined) {
      throw new CtdError('BAD_USAGE', `${credential.id} is not an OAuth entry of ${path}`);
    }
    await rewriteJsonStore(ctx, path, 'opencode logins', (store) => {
      const entry = objectAt(store[key]);
      if (entry?.type !== 'oauth') throw storeMovedOn(path, 'other-login');
      const account = credential.account.accountId;
      if (account && typeof entry.accountId === 'string' && entry.accountId !== account)
        throw storeMovedOn(path, 'other-login');
      // Both refresh tokens rotate: one that moved on means opencode refreshed in between.
      if (entry.refresh !== credential.refreshSecret?.reveal()) throw storeMovedOn(path, 'changed');
      entry.access = tokens.accessToken;
      if (tokens.refreshToken) entry.refresh = tokens.refreshToken;
      // opencode's schema wants a non-negative integer.
      if (tokens.expiresAtMs !== undefined) entry.expires = Math.max(0, Math.round(tokens.expiresAtMs));
    });
  },

  async scan(ctx) {
    const out = new SourceCollector(opencodeAdapter, ctx);
    const path = authPath(ctx);
    const content = out.env(CONTENT_VAR);
    let store: Record<string, unknown> | undefined;
    let origin: (field: string) => Origin;
    let where: string;
    if (content) {
      // The variable replaces the file: opencode does not read the file at all then.
      where = `$${CONTENT_VAR}`;
      out.checked(path, 'skipped', `replaced by $${CONTENT_VAR}`);
      const parsed = out.settle(where, parseJsonText(content));
      store = parsed === undefined ? undefined : out.settle(where, checkShape(AuthFileSchema, parsed));
      origin = () => ({ type: 'env', variable: CONTENT_VAR });
    } else {
      where = path;
      store = await out.readJson(path, AuthFileSchema);
      origin = (field) => ({ type: 'file', path, field });
    }
    if (store) recordStore(out, store, where, origin);
    await scanDatabase(out, ctx);
    await scanMcpAuth(out, ctx);
    return out.result();
  },
};

/** Records the entries of an auth.json map (the file's or `OPENCODE_AUTH_CONTENT`'s). */
function recordStore(
  out: SourceCollector,
  store: Record<string, unknown>,
  where: string,
  origin: (field: string) => Origin,
): void {
  {
    let found = 0;
    for (const [key, value] of Object.entries(store)) {
      const entry = EntrySchema.safeParse(value);
      if (!entry.success) {
        // opencode drops such entries silently; a note (not an error) says why nothing came of it.
        out.checked(`${where}#${key}`, 'skipped', `is ${describeSkip(value)}: opencode ignores it`);
        continue;
      }
      if (!secretOf(entry.data)) {
        out.checked(`${where}#${key}`, 'empty', 'holds an empty secret');
        continue;
      }
      recordEntry(out, key, entry.data, origin);
      found++;
    }
    out.checked(
      where,
      found ? 'found' : 'empty',
      found ? `${found} provider entr${found === 1 ? 'y' : 'ies'}` : 'holds no usable entries',
    );
  }
}
