import { join } from 'node:path';
import { type Account, CtdError } from '@ctd/core';
import { sha256Hex } from '@ctd/core/node';
import * as z from 'zod/mini';
import { SourceCollector } from '../../collector.ts';
import { checkShape, parseJsonText } from '../../read.ts';
import type { ScanContext, SourceAdapter, StoreFile } from '../../types.ts';
import { objectAt, rewriteJsonStore, storeMovedOn } from '../_shared/json-store.ts';
import { keychainKind, keychainSecret } from '../_shared/keychain.ts';
import { storePathOf, withInProcessLock } from '../_shared/locks.ts';
import { anthropicRefreshSpec, expiryOf, FIVE_MINUTES_MS } from '../_shared/oauth.ts';
import { projectDirs } from '../_shared/project.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the Claude Code adapter. */
export const CLAUDE_SOURCE = 'claude-code' as const;

/** The prefix of the long-lived OAuth tokens `claude setup-token` prints. */
const SETUP_TOKEN_PREFIX = 'sk-ant-oat';

const optString = z.nullish(z.string());

// Other top-level keys (MCP server logins and the like) share the file, so the schema is loose.
const CredentialsFileSchema = z.looseObject({
  claudeAiOauth: z.nullish(
    z.looseObject({
      accessToken: z.string(),
      refreshToken: optString,
      expiresAt: z.nullish(z.number()),
      scopes: z.nullish(z.array(z.string())),
      subscriptionType: optString,
      rateLimitTier: optString,
      // Claude Code 2.1.332 adds these: the refresh token's own end of life (ms), where the plan
      // came from, and the account and organization of the login.
      refreshTokenExpiresAt: z.nullish(z.number()),
      subscriptionTypeSource: optString,
      accountUuid: optString,
      organizationUuid: optString,
    }),
  ),
});

// `.claude.json` is Claude Code's general state file; only these two keys matter here.
const GlobalConfigSchema = z.looseObject({
  oauthAccount: z.nullish(
    z.looseObject({ accountUuid: optString, emailAddress: optString, organizationUuid: optString }),
  ),
  primaryApiKey: optString,
});

function configDir(ctx: ScanContext): string {
  const override = ctx.env.CLAUDE_CONFIG_DIR?.trim();
  return override ? override : join(ctx.home, '.claude');
}

// `.claude.json` is Claude Code's general state (projects, history): real ones grow to megabytes.
const STATE_FILE_MAX_BYTES = 32 * 1024 * 1024;

/** `~/.claude.json` normally; inside the config dir when CLAUDE_CONFIG_DIR moves it. */
function globalConfigPath(ctx: ScanContext): string {
  const override = ctx.env.CLAUDE_CONFIG_DIR?.trim();
  return override ? join(override, '.claude.json') : join(ctx.home, '.claude.json');
}

function accountOf(
  raw: z.infer<typeof GlobalConfigSchema>['oauthAccount'],
  plan: string | undefined,
  login?: { accountUuid?: string | null | undefined; organizationUuid?: string | null | undefined },
): Account | undefined {
  const account: Account = {};
  // The login's own ids first (2.1.332 keeps them beside the tokens); ~/.claude.json may describe
  // a later login or none.
  const accountId = login?.accountUuid?.trim() || raw?.accountUuid;
  const organization = login?.organizationUuid?.trim() || raw?.organizationUuid;
  if (accountId) account.accountId = accountId;
  if (raw?.emailAddress) account.email = raw.emailAddress;
  if (organization) account.organization = organization;
  if (plan) account.plan = plan;
  return Object.keys(account).length ? account : undefined;
}

/**
 * The macOS keychain service of Claude Code's login: `Claude Code-credentials`, plus `-` and 8 hex
 * of sha256 of the CLAUDE_CONFIG_DIR string when that is set (the raw string, so a trailing slash
 * makes another item).
 */
function claudeKeychainService(ctx: ScanContext): string {
  const dir = ctx.env.CLAUDE_CONFIG_DIR;
  return dir ? `Claude Code-credentials-${sha256Hex(dir).slice(0, 8)}` : 'Claude Code-credentials';
}

/** Claude Code refreshes its login 5 minutes before `expiresAt`. */
const claudeRefresh = anthropicRefreshSpec((credential) => {
  const exp = expiryOf(credential);
  return exp === null ? null : exp - FIVE_MINUTES_MS;
});

// Claude Code's settings files: only their `env` block can hold a credential.
const SettingsEnvSchema = z.looseObject({ env: z.nullish(z.record(z.string(), z.unknown())) });

/** Environment variables Claude Code takes a credential from, and what kind each holds. */
const ENV_CREDENTIALS = [
  { variable: 'ANTHROPIC_API_KEY', kind: 'api_key', label: 'Anthropic API key' },
  // Long-lived inference-only token from `claude setup-token`.
  { variable: 'CLAUDE_CODE_OAUTH_TOKEN', kind: 'token', label: 'Claude setup-token' },
  { variable: 'ANTHROPIC_AUTH_TOKEN', kind: 'token', label: 'Anthropic bearer token' },
] as const;

/**
 * Claude Code (`anthropics/claude-code`): the subscription login in
 * `$CLAUDE_CONFIG_DIR/.credentials.json` (default `~/.claude`), account facts and a console API
 * key in `~/.claude.json`, and `ANTHROPIC_API_KEY`, `CLAUDE_CODE_OAUTH_TOKEN`,
 * `ANTHROPIC_AUTH_TOKEN`. The macOS keychain item is not read (this scan reads files only).
 * Formats checked against `@anthropic-ai/claude-code` 2.1.332.
 */
export const claudeCodeAdapter: SourceAdapter = {
  id: CLAUDE_SOURCE,
  displayName: 'Claude Code',
  aliases: ['claude'],
  defaultPriority: 5,
  login: { command: 'claude  (then /login)', browserCommand: 'claude auth login --claudeai' },
  loginProvider: KnownProvider.anthropic,
  providers: {
    [KnownProvider.anthropic]: {
      keyPage: 'https://console.anthropic.com/settings/keys',
      loginPolicy: {
        stance: 'warn',
        requiresOptIn: true,
        note: 'Anthropic blocked consumer OAuth tokens in third-party tools from January to April 2026 and has since said reuse is allowed again: the rule is in flux. Store format checked against @anthropic-ai/claude-code 2.1.332.',
        asOf: '2026-09-06',
      },
    },
  },
  loginReusedByGateway: {
    reason: 'OpenClaw reuses the Claude CLI login itself',
    whatToDo: 'Nothing to do: OpenClaw reads it from Claude Code directly.',
  },

  recognizePasted(token) {
    // `claude setup-token` prints an OAuth token (`sk-ant-oat…`); console keys are `sk-ant-api…`.
    return token.trim().startsWith(SETUP_TOKEN_PREFIX)
      ? [{ provider: KnownProvider.anthropic, kind: 'token', label: 'Claude token (pasted)' }]
      : [{ provider: KnownProvider.anthropic, kind: 'api_key', label: 'Anthropic API key (pasted)' }];
  },
  loginHint: 'run `claude` and log in with /login (or `claude setup-token` for a long-lived token)',

  lockProtocol() {
    // [U] Claude Code's refresh lock, if any, is not documented; treat it as having none.
    return { kind: 'none' };
  },

  async withLock(_ctx, credential, fn) {
    return withInProcessLock(storePathOf(credential) ?? CLAUDE_SOURCE, fn);
  },

  oauthRefresh(credential) {
    const o = credential.origin;
    if (credential.kind !== 'oauth' || !credential.hasRefreshToken) return undefined;
    return o.type === 'file' && o.field === 'claudeAiOauth.accessToken' ? claudeRefresh : undefined;
  },

  async writeBack(ctx, credential, tokens) {
    const path = join(configDir(ctx), '.credentials.json');
    if (storePathOf(credential) !== path) {
      throw new CtdError('BAD_USAGE', `${credential.id} is not the Claude login of ${path}`);
    }
    await rewriteJsonStore(ctx, path, 'a Claude login', (store) => {
      const oauth = objectAt(store.claudeAiOauth);
      if (!oauth || typeof oauth.accessToken !== 'string') throw storeMovedOn(path, 'other-login');
      // [U] The refresh token rotates: one that moved on means Claude Code refreshed (or logged
      // in again) in between; its tokens are the ones to keep. The account lives in
      // ~/.claude.json, which a re-login rewrites, so the chain is the check here.
      if (oauth.refreshToken !== credential.refreshSecret?.reveal()) throw storeMovedOn(path, 'changed');
      oauth.accessToken = tokens.accessToken;
      if (tokens.refreshToken) oauth.refreshToken = tokens.refreshToken;
      if (tokens.expiresAtMs !== undefined) oauth.expiresAt = tokens.expiresAtMs;
    });
  },

  files(ctx): StoreFile[] {
    return [
      { path: join(configDir(ctx), '.credentials.json'), format: 'json', holdsSecrets: true },
      // Holds account facts, and `primaryApiKey` for console-key logins.
      { path: globalConfigPath(ctx), format: 'json', holdsSecrets: true, maxBytes: STATE_FILE_MAX_BYTES },
    ];
  },

  async scan(ctx) {
    const out = new SourceCollector(claudeCodeAdapter, ctx);
    const credentialsPath = join(configDir(ctx), '.credentials.json');
    const globalPath = globalConfigPath(ctx);

    const global = await out.readJson(globalPath, GlobalConfigSchema, STATE_FILE_MAX_BYTES);
    if (global) {
      const apiKey = global.primaryApiKey?.trim();
      if (apiKey) {
        out.found({
          provider: KnownProvider.anthropic,
          kind: 'api_key',
          label: 'Anthropic API key',
          secret: apiKey,
          // `claude auth login --console` keeps the console account in oauthAccount beside it.
          account: accountOf(global.oauthAccount, undefined),
          origin: { type: 'file', path: globalPath, field: 'primaryApiKey' },
        });
      }
      const facts = [global.oauthAccount ? 'account facts' : '', apiKey ? 'an API key' : ''].filter(Boolean);
      out.checked(
        globalPath,
        facts.length ? 'found' : 'empty',
        facts.length ? `holds ${facts.join(' and ')}` : 'holds no account facts or API key',
      );
    }

    let creds = await out.readJson(credentialsPath, CredentialsFileSchema);
    let credsPath = credentialsPath;
    let credsField = 'claudeAiOauth.accessToken';
    // On macOS Claude Code keeps the login in the login keychain first (service
    // "Claude Code-credentials", with a suffix for a CLAUDE_CONFIG_DIR; account: the login name).
    // Read only when the scan opts in, since macOS may ask to allow access.
    if (!creds?.claudeAiOauth && keychainKind(ctx) === 'macos') {
      const service = claudeKeychainService(ctx);
      const where = `keychain:macos/${service}`;
      const read = await keychainSecret(ctx, service, ctx.username);
      if (read.status === 'unavailable') out.checked(where, 'skipped', read.reason);
      else if (read.status === 'ok' && read.value === undefined)
        out.checked(where, 'missing', 'holds no item');
      else if (read.status === 'ok' && read.value !== undefined) {
        const parsed = parseJsonText(read.value);
        const shaped = parsed.status === 'ok' ? checkShape(CredentialsFileSchema, parsed.value) : parsed;
        if (shaped.status === 'ok') {
          creds = shaped.value;
          credsPath = where;
          credsField = `keychain:${ctx.username}#claudeAiOauth.accessToken`;
        } else out.checked(where, 'error', 'holds an item that is not a Claude login');
      }
    }
    const oauth = creds?.claudeAiOauth;
    if (creds && !oauth?.accessToken.trim()) {
      out.checked(credsPath, 'empty', 'holds no Claude login (claudeAiOauth)');
    } else if (oauth) {
      const storedRefresh = oauth.refreshToken?.trim() || undefined;
      const plan = oauth.subscriptionType?.trim() || undefined;
      const refreshEnd =
        typeof oauth.refreshTokenExpiresAt === 'number' && oauth.refreshTokenExpiresAt > 0
          ? oauth.refreshTokenExpiresAt
          : undefined;
      // A refresh token past its own end of life cannot renew the login: without it the login is a
      // plain bearer token, and nothing offers (or spends) a refresh that must fail.
      const refreshDead = refreshEnd !== undefined && refreshEnd <= ctx.now.getTime();
      const refresh = refreshDead ? undefined : storedRefresh;
      out.found({
        provider: KnownProvider.anthropic,
        // Without a refresh token the login cannot be renewed: a plain bearer token.
        kind: refresh ? 'oauth' : 'token',
        label: 'Claude login',
        secret: oauth.accessToken.trim(),
        refreshToken: refresh,
        refreshExpiresAt: refreshEnd ?? null,
        expiresAt: typeof oauth.expiresAt === 'number' && oauth.expiresAt > 0 ? oauth.expiresAt : null,
        account: accountOf(global?.oauthAccount, plan, oauth),
        origin: { type: 'file', path: credsPath, field: credsField },
      });
      const details = [
        plan ? `plan ${plan}` : '',
        oauth.rateLimitTier ? `tier ${oauth.rateLimitTier}` : '',
        storedRefresh && refreshEnd !== undefined
          ? `refresh token ${refreshDead ? 'expired' : 'valid until'} ${new Date(refreshEnd).toISOString()}`
          : '',
        oauth.scopes ? `scopes ${oauth.scopes.join(' ')}` : '',
      ].filter(Boolean);
      out.checked(credsPath, 'found', ['Claude login', ...details].join(', '));
    }

    // Points the env credentials at a gateway or another vendor's Anthropic-compatible API.
    const baseUrl = ctx.env.ANTHROPIC_BASE_URL?.trim() || undefined;
    for (const { variable, kind, label } of ENV_CREDENTIALS) {
      const value = out.env(variable);
      if (!value) continue;
      out.found({
        provider: KnownProvider.anthropic,
        kind,
        label,
        secret: value,
        origin: { type: 'env', variable },
        baseUrl,
      });
      out.checked(`$${variable}`, 'found', 'set');
    }

    // Settings files may set the same variables in their `env` block: the user's
    // (`<configDir>/settings.json`) and each project's (`.claude/settings.json`,
    // `.claude/settings.local.json`, walking up from the working directory).
    const settingsFiles = [
      join(configDir(ctx), 'settings.json'),
      ...projectDirs(ctx).flatMap((dir) => [
        join(dir, '.claude', 'settings.json'),
        join(dir, '.claude', 'settings.local.json'),
      ]),
    ];
    for (const path of settingsFiles) {
      const settings = await out.readJson(path, SettingsEnvSchema);
      if (!settings) continue;
      const env = settings.env ?? {};
      const settingsBase = typeof env.ANTHROPIC_BASE_URL === 'string' ? env.ANTHROPIC_BASE_URL.trim() : '';
      let here = 0;
      for (const { variable, kind, label } of ENV_CREDENTIALS) {
        const value = env[variable];
        if (typeof value !== 'string' || !value.trim()) continue;
        out.found({
          provider: KnownProvider.anthropic,
          kind,
          label,
          secret: value.trim(),
          origin: { type: 'env-file', path, variable },
          baseUrl: settingsBase || baseUrl,
        });
        here++;
      }
      out.checked(
        path,
        here ? 'found' : 'empty',
        here ? `its env block sets ${here} credential(s)` : 'sets no credential in its env block',
      );
    }
    return out.result();
  },
};
