// What the CLIs' OAuth refreshes have in common: the `CTD_*_OAUTH_URL` overrides, reading a token
// endpoint's answer, and the per-credential facts a refresh time needs that a credential does not
// carry (Codex's `last_refresh`, Kimi's `expires_in`, Kimi's device id). The two refreshes that
// several CLIs share (OpenAI's for Codex and opencode, Anthropic's for Claude Code and opencode)
// live here too, so each endpoint and client id is written once.
import { type CredentialInfo, CtdError } from '@ctd/core';
import { jwtExpiryMs } from '../../jwt.ts';
import type { OAuthRefreshAnswer, OAuthRefreshSpec, RefreshedTokens, ScanContext } from '../../types.ts';

/** One token endpoint: its default base, the `CTD_*` variable that replaces it, and the path under it. */
export interface OAuthEndpoint {
  /** The provider's own base URL (no trailing slash). */
  readonly defaultBase: string;
  /** The `CTD_*_OAUTH_URL` variable that replaces the base (tests, private gateways). */
  readonly envVar: string;
  /** The token path appended to the base. */
  readonly path: string;
  /** The CLI's own variables that move the base, read after ours (e.g. `KIMI_CODE_OAUTH_HOST`). */
  readonly cliVars?: readonly string[];
}

/**
 * The token endpoints the adapters refresh at. Keep in step with `docs/validation.md`
 * ("Refresh endpoints").
 */
export const OAUTH_ENDPOINTS = {
  /** Codex's `REFRESH_TOKEN_URL` (also opencode's ChatGPT login). */
  openai: { defaultBase: 'https://auth.openai.com', envVar: 'CTD_OPENAI_OAUTH_URL', path: '/oauth/token' },
  /** google-auth-library's token endpoint (Gemini CLI). */
  google: { defaultBase: 'https://oauth2.googleapis.com', envVar: 'CTD_GOOGLE_OAUTH_URL', path: '/token' },
  /** Kimi Code's OAuth host (kimi-cli and the Kimi Code CLI). */
  kimi: {
    defaultBase: 'https://auth.kimi.com',
    envVar: 'CTD_KIMI_OAUTH_URL',
    path: '/api/oauth/token',
    cliVars: ['KIMI_CODE_OAUTH_HOST', 'KIMI_OAUTH_HOST'],
  },
  /** Claude's token endpoint (Claude Code, and opencode's Anthropic login). */
  anthropic: {
    defaultBase: 'https://platform.claude.com',
    envVar: 'CTD_ANTHROPIC_OAUTH_URL',
    path: '/v1/oauth/token',
  },
} as const satisfies Record<string, OAuthEndpoint>;

/**
 * The token URL of an endpoint for an environment: `CTD_*_OAUTH_URL`, then the CLI's own
 * variables, then the provider's base; trailing slashes ignored, the token path appended.
 *
 * @param endpoint - the endpoint
 * @param env - the scan's environment
 */
export function tokenUrl(endpoint: OAuthEndpoint, env: ScanContext['env']): string {
  const chosen = [endpoint.envVar, ...(endpoint.cliVars ?? [])]
    .map((name) => env[name]?.trim())
    .find((v): v is string => Boolean(v));
  return `${(chosen ?? endpoint.defaultBase).replace(/\/+$/, '')}${endpoint.path}`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The error code of a token endpoint's error body, the places Codex looks: `error.code`, `error`
 * (a string), `code`, then `error.type` (Anthropic's errors). `http_<status>` when the body names none.
 *
 * @param status - the HTTP status
 * @param body - the parsed body, or null
 */
export function oauthErrorCode(status: number, body: unknown): string {
  const b = obj(body);
  const error = b?.error;
  const code = str(obj(error)?.code) ?? str(error) ?? str(b?.code) ?? str(obj(error)?.type);
  // Codes are short identifiers; anything else (a sentence, a token) is not echoed.
  return code && /^[A-Za-z0-9_.:-]{1,64}$/.test(code) ? code : `http_${status}`;
}

/**
 * The provider's description of an error, shortened, with anything token-like cut out (a reason
 * is shown and logged; a provider that echoes the token must not leak it).
 *
 * @param body - the parsed body, or null
 */
export function oauthErrorDescription(body: unknown): string | undefined {
  const b = obj(body);
  const text = str(b?.error_description) ?? str(obj(b?.error)?.message) ?? str(b?.message);
  if (!text) return undefined;
  const clean = text.replace(/[A-Za-z0-9._~+/=-]{24,}/g, '…').replace(/\s+/g, ' ');
  return clean.length > 160 ? `${clean.slice(0, 159)}…` : clean;
}

/** How a provider's failed refresh is classified. */
export interface FailureRule {
  /** Error codes that mean the refresh token is dead. */
  readonly permanentCodes?: readonly string[];
  /** Statuses that mean the refresh token is dead, whatever the code. */
  readonly permanentStatuses?: readonly number[];
}

/**
 * The answer to a failed refresh: permanent when the provider says the refresh token is dead,
 * transient otherwise (429, 5xx, anything unrecognized: the same token may be tried again later).
 *
 * @param who - the provider, for the reason ("OpenAI")
 * @param status - the HTTP status
 * @param body - the parsed body, or null
 * @param rule - what is permanent for this provider
 */
export function failedRefresh(
  who: string,
  status: number,
  body: unknown,
  rule: FailureRule,
): Extract<OAuthRefreshAnswer, { ok: false }> {
  const code = oauthErrorCode(status, body);
  const permanent =
    (rule.permanentCodes ?? []).includes(code) || (rule.permanentStatuses ?? []).includes(status);
  const description = oauthErrorDescription(body);
  const what = permanent
    ? 'the refresh token is no longer accepted: log in again'
    : 'a temporary failure: the refresh can be tried again later';
  return {
    ok: false,
    permanent,
    code,
    reason: `${who} answered HTTP ${status} (${code}${description ? `: ${description}` : ''}): ${what}`,
  };
}

/**
 * Reads a successful token answer (`access_token`, optional `refresh_token`, `id_token`,
 * `expires_in`). The expiry comes from `expires_in`, else from the access token's JWT `exp`.
 * A 2xx without an access token is a transient failure (`bad_response`).
 *
 * @param who - the provider, for the reason
 * @param status - the HTTP status
 * @param body - the parsed body, or null
 * @param now - the clock of the answer
 * @param required - fields the CLI insists on (Kimi wants all five)
 */
export function tokensFromAnswer(
  who: string,
  status: number,
  body: unknown,
  now: Date,
  required: readonly string[] = ['access_token'],
): OAuthRefreshAnswer {
  const b = obj(body);
  const missing = required.filter((f) => b?.[f] === undefined || b?.[f] === null || b?.[f] === '');
  const accessToken = str(b?.access_token);
  if (!b || !accessToken || missing.length > 0) {
    const fields = missing.length ? missing.join(', ') : 'access_token';
    return {
      ok: false,
      permanent: false,
      code: 'bad_response',
      reason: `${who} answered HTTP ${status} without ${b ? fields : 'a JSON body'}`,
    };
  }
  const expiresIn = num(b.expires_in);
  const expiresAtMs =
    expiresIn !== undefined ? now.getTime() + Math.round(expiresIn * 1000) : jwtExpiryMs(accessToken);
  const tokens: RefreshedTokens = {
    accessToken,
    ...(str(b.refresh_token) ? { refreshToken: str(b.refresh_token) } : {}),
    ...(str(b.id_token) ? { idToken: str(b.id_token) } : {}),
    ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
    ...(expiresIn !== undefined ? { expiresInSeconds: expiresIn } : {}),
  };
  return { ok: true, tokens };
}

/** The refresh token of a credential, or an error saying there is none. */
export function refreshTokenOf(credential: { refreshSecret?: { reveal(): string } | undefined }): string {
  const token = credential.refreshSecret?.reveal().trim();
  if (!token) throw new CtdError('BAD_USAGE', 'this credential has no refresh token to refresh with');
  return token;
}

/** The access token's expiry in ms, or null. */
export function expiryOf(credential: Pick<CredentialInfo, 'expiresAt'>): number | null {
  if (!credential.expiresAt) return null;
  const ms = Date.parse(credential.expiresAt);
  return Number.isFinite(ms) ? ms : null;
}

/** Facts from a store a refresh needs that a credential does not carry. */
export interface RefreshHint {
  /** Codex: `last_refresh` in ms. */
  readonly lastRefreshMs?: number;
  /** Kimi: the stored `expires_in` in seconds. */
  readonly expiresInSeconds?: number;
  /** Kimi: the CLI's device id. */
  readonly deviceId?: string;
  /** Kimi Code: the OAuth host the login was made with (`oauth_host` of its provider table). */
  readonly oauthHost?: string;
}

const HINTS_KEPT = 256;
const hints = new Map<string, RefreshHint>();
const hintKey = (c: Pick<CredentialInfo, 'id' | 'hash'>) => `${c.id}\u0000${c.hash}`;

/**
 * Keeps what a scan read about a credential's store for its refresh (see {@link RefreshHint}),
 * keyed by the credential's id and access-token hash, so a credential read again from the same
 * tokens finds it. Bounded: the oldest entries go first.
 *
 * @param credential - the credential the scan just built
 * @param hint - what the store said
 */
export function rememberRefreshHint(
  credential: Pick<CredentialInfo, 'id' | 'hash'>,
  hint: RefreshHint,
): void {
  const key = hintKey(credential);
  hints.delete(key);
  hints.set(key, hint);
  while (hints.size > HINTS_KEPT) hints.delete(hints.keys().next().value as string);
}

/**
 * What a scan remembered about a credential's store, or an empty hint.
 *
 * @param credential - the credential
 */
export function refreshHintOf(credential: Pick<CredentialInfo, 'id' | 'hash'>): RefreshHint {
  return hints.get(hintKey(credential)) ?? {};
}

/** Codex's client id (`CLIENT_ID` in codex-rs/login). */
export const OPENAI_CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** Codex treats these, and any 401, as a dead refresh token (`classify_refresh_token_failure`). */
const OPENAI_PERMANENT = ['refresh_token_expired', 'refresh_token_reused', 'refresh_token_invalidated'];

/**
 * Codex's refresh of a ChatGPT login: JSON `{client_id, grant_type, refresh_token}` to
 * `auth.openai.com/oauth/token`; single-use refresh tokens. Codex also honours
 * `CODEX_REFRESH_TOKEN_URL_OVERRIDE` (a full URL), which wins over the base when set.
 *
 * @param refreshAt - the CLI's own refresh time
 */
export function openaiRefreshSpec(refreshAt: OAuthRefreshSpec['refreshAt']): OAuthRefreshSpec {
  return {
    rotating: true,
    request(ctx, credential) {
      const codexOverride = ctx.env.CODEX_REFRESH_TOKEN_URL_OVERRIDE?.trim();
      const ours = ctx.env[OAUTH_ENDPOINTS.openai.envVar]?.trim();
      return {
        url: !ours && codexOverride ? codexOverride : tokenUrl(OAUTH_ENDPOINTS.openai, ctx.env),
        headers: {},
        body: {
          type: 'json',
          value: {
            client_id: OPENAI_CODEX_CLIENT_ID,
            grant_type: 'refresh_token',
            refresh_token: refreshTokenOf(credential),
          },
        },
      };
    },
    parse(status, body, now) {
      if (status >= 200 && status < 300) return tokensFromAnswer('OpenAI', status, body, now);
      return failedRefresh('OpenAI', status, body, {
        permanentCodes: OPENAI_PERMANENT,
        permanentStatuses: [401],
      });
    },
    refreshAt,
  };
}

/** Claude Code's OAuth client id. */
export const CLAUDE_CODE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';

/**
 * Claude's refresh: JSON `{grant_type, refresh_token, client_id}` to
 * `platform.claude.com/v1/oauth/token`. [U] The answer carries a new refresh token each time, so
 * it is treated as rotating. `invalid_grant` and 401 mean the login is dead.
 *
 * @param refreshAt - the CLI's own refresh time
 */
export function anthropicRefreshSpec(refreshAt: OAuthRefreshSpec['refreshAt']): OAuthRefreshSpec {
  return {
    rotating: true,
    request(ctx, credential) {
      return {
        url: tokenUrl(OAUTH_ENDPOINTS.anthropic, ctx.env),
        headers: {},
        body: {
          type: 'json',
          value: {
            grant_type: 'refresh_token',
            refresh_token: refreshTokenOf(credential),
            client_id: CLAUDE_CODE_CLIENT_ID,
          },
        },
      };
    },
    parse(status, body, now) {
      if (status >= 200 && status < 300) return tokensFromAnswer('Anthropic', status, body, now);
      return failedRefresh('Anthropic', status, body, {
        permanentCodes: ['invalid_grant'],
        permanentStatuses: [401],
      });
    },
    refreshAt,
  };
}

/** Five minutes, the margin Gemini CLI (google-auth-library) and Claude Code refresh ahead by. */
export const FIVE_MINUTES_MS = 5 * 60_000;
