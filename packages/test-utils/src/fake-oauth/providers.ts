// The provider families' token endpoints, each with its path, body type, client id, rotation and
// its own error bodies for a spent or unknown refresh token. Where the real body is not known
// the doc comment says so ([U]); the statuses and codes are the ones the CLIs classify on.
import { fakeJwt } from '../jwt.ts';
import {
  type FakeOAuthOptions,
  type FakeOAuthReply,
  type FakeOAuthRequest,
  type FakeOAuthServer,
  startFakeOAuthServer,
} from './server.ts';

/** The client ids the CLIs send (from the reference). */
export const FAKE_OAUTH_CLIENT_IDS = {
  openai: 'app_EMoamEEZ73f0CkXaXp7hrann',
  google: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
  kimi: '17e5f671-d194-4dfb-9706-5516cb48c098',
  claude: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  qwen: 'f0304373b74a44d2b584a3fb70ca9e56',
} as const;

/** The ChatGPT account the OpenAI fake's tokens belong to (the Codex fixture's). */
export const FAKE_OPENAI_ACCOUNT_ID = '00000000-0000-4000-8000-000000000000';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function wrongBody(req: FakeOAuthRequest, type: 'json' | 'form'): boolean {
  return req.bodyType !== type || req.body?.grant_type !== 'refresh_token';
}

/**
 * Fake `auth.openai.com` (Codex; opencode's ChatGPT login): `POST /oauth/token` with JSON
 * `{client_id, grant_type, refresh_token}`. Rotating. Access and id tokens are JWTs with `exp`
 * and the account claims Codex reads. A spent token gets 401 `refresh_token_reused`, an unknown
 * one 401 `refresh_token_invalidated` (Codex reads `error.code`); a wrong client 401
 * `invalid_client`.
 *
 * @param options - live refresh tokens, lifetime, delay
 */
export function startFakeOpenAIOAuth(options?: FakeOAuthOptions): Promise<FakeOAuthServer> {
  const error = (code: string, message: string) => ({
    status: 401,
    json: { error: { message, type: 'invalid_request_error', param: null, code } },
  });
  const auth = { chatgpt_account_id: FAKE_OPENAI_ACCOUNT_ID, chatgpt_plan_type: 'plus' };
  return startFakeOAuthServer(
    {
      name: 'openai',
      path: '/oauth/token',
      bodyType: 'json',
      rotating: true,
      check(req) {
        if (wrongBody(req, 'json'))
          return { status: 400, json: { error: { message: 'Invalid request', code: 'invalid_request' } } };
        if (req.body?.client_id !== FAKE_OAUTH_CLIENT_IDS.openai)
          return error('invalid_client', 'Unknown client.');
        return undefined;
      },
      reused: () =>
        error(
          'refresh_token_reused',
          'Your refresh token has already been used to generate a new access token. Please try signing in again.',
        ),
      unknown: () =>
        error(
          'refresh_token_invalidated',
          'Your refresh token has been invalidated. Please try signing in again.',
        ),
      success: (g) => ({
        status: 200,
        json: {
          id_token: g.idToken,
          access_token: g.accessToken,
          refresh_token: g.refreshToken,
          expires_in: g.expiresIn,
          token_type: 'Bearer',
          scope: 'openid profile email offline_access',
        },
      }),
      accessToken: (n, ttl) =>
        fakeJwt({ exp: nowSeconds() + ttl, 'https://api.openai.com/auth': auth, nonce: `test-access-${n}` }),
      idToken: (n, ttl) =>
        fakeJwt({
          email: 'codex-user@example.com',
          'https://api.openai.com/profile': { email: 'codex-user@example.com' },
          'https://api.openai.com/auth': { ...auth, chatgpt_user_id: 'user-PLACEHOLDER' },
          exp: nowSeconds() + ttl,
          nonce: `test-id-${n}`,
        }),
    },
    options,
  );
}

/** Options of the Google fake. */
export interface FakeGoogleTokenOptions extends FakeOAuthOptions {
  /** Refuse a refresh without `client_secret`, as Google does for installed-app clients. @default false */
  readonly requireClientSecret?: boolean;
}

/**
 * Fake `oauth2.googleapis.com` (Gemini CLI): `POST /token` with a form
 * `{grant_type, refresh_token, client_id, client_secret}`. Not rotating: the answer has no
 * refresh token and the old one stays live. A revoked or unknown token gets 400 `invalid_grant`
 * "Token has been expired or revoked."; a wrong client 401 `invalid_client`.
 *
 * @param options - live refresh tokens, lifetime, delay, whether the client secret is required
 */
export function startFakeGoogleTokenOAuth(options: FakeGoogleTokenOptions = {}): Promise<FakeOAuthServer> {
  const invalidGrant: FakeOAuthReply = {
    status: 400,
    json: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
  };
  return startFakeOAuthServer(
    {
      name: 'google',
      path: '/token',
      bodyType: 'form',
      rotating: false,
      check(req) {
        if (wrongBody(req, 'form'))
          return {
            status: 400,
            json: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' },
          };
        if (req.body?.client_id !== FAKE_OAUTH_CLIENT_IDS.google)
          return {
            status: 401,
            json: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
          };
        if (options.requireClientSecret && !req.body?.client_secret)
          return {
            status: 400,
            json: { error: 'invalid_request', error_description: 'client_secret is missing.' },
          };
        return undefined;
      },
      reused: () => invalidGrant,
      unknown: () => invalidGrant,
      success: (g) => ({
        status: 200,
        json: {
          access_token: g.accessToken,
          expires_in: g.expiresIn,
          scope:
            'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email openid',
          token_type: 'Bearer',
          id_token: g.idToken,
        },
      }),
      accessToken: (n) => `ya29.test-PLACEHOLDER-google-access-${n}`,
      idToken: (n, ttl) =>
        fakeJwt({
          email: 'gemini-user@example.com',
          sub: '100000000000000000000',
          exp: nowSeconds() + ttl,
          n,
        }),
    },
    options,
  );
}

/**
 * Fake Kimi Code OAuth host (kimi-cli, Kimi Code CLI): `POST /api/oauth/token` with a form
 * `{client_id, grant_type, refresh_token}` and the `X-Msh-*` device headers (a call without
 * `X-Msh-Device-Id` or `X-Msh-Platform` is refused with 400). Rotating; the answer has the five
 * fields kimi-cli insists on. [U] A spent or unknown token gets 401
 * `{error: "invalid_grant"}` (kimi-cli classifies on the status only).
 *
 * @param options - live refresh tokens, lifetime, delay
 */
export function startFakeKimiOAuth(options?: FakeOAuthOptions): Promise<FakeOAuthServer> {
  const dead: FakeOAuthReply = {
    status: 401,
    json: { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired.' },
  };
  return startFakeOAuthServer(
    {
      name: 'kimi',
      path: '/api/oauth/token',
      bodyType: 'form',
      rotating: true,
      check(req) {
        if (wrongBody(req, 'form')) return { status: 400, json: { error: 'unsupported_grant_type' } };
        if (req.body?.client_id !== FAKE_OAUTH_CLIENT_IDS.kimi)
          return { status: 400, json: { error: 'invalid_client' } };
        if (!req.headers['x-msh-device-id'] || !req.headers['x-msh-platform'])
          return {
            status: 400,
            json: { error: 'invalid_request', error_description: 'missing device headers' },
          };
        return undefined;
      },
      reused: () => dead,
      unknown: () => dead,
      success: (g) => ({
        status: 200,
        json: {
          access_token: g.accessToken,
          refresh_token: g.refreshToken,
          expires_in: g.expiresIn,
          scope: 'kimi-code',
          token_type: 'Bearer',
        },
      }),
      accessToken: (n) => `test-PLACEHOLDER-kimi-access-${n}`,
    },
    options,
  );
}

/**
 * Fake Claude token endpoint (Claude Code; opencode's Anthropic login): `POST /v1/oauth/token`
 * with JSON `{grant_type, refresh_token, client_id}`. A missing or wrong client id gets 400
 * "Invalid request format" (as the reference notes). Rotating [U]; a spent or unknown token gets
 * 400 `invalid_grant` [U: the real body is not documented].
 *
 * @param options - live refresh tokens, lifetime, delay
 */
export function startFakeClaudeOAuth(options?: FakeOAuthOptions): Promise<FakeOAuthServer> {
  const dead: FakeOAuthReply = {
    status: 400,
    json: { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' },
  };
  return startFakeOAuthServer(
    {
      name: 'claude',
      path: '/v1/oauth/token',
      bodyType: 'json',
      rotating: true,
      check(req) {
        if (wrongBody(req, 'json') || req.body?.client_id !== FAKE_OAUTH_CLIENT_IDS.claude)
          return {
            status: 400,
            json: { error: 'invalid_request', error_description: 'Invalid request format' },
          };
        return undefined;
      },
      reused: () => dead,
      unknown: () => dead,
      success: (g) => ({
        status: 200,
        json: {
          token_type: 'Bearer',
          access_token: g.accessToken,
          expires_in: g.expiresIn,
          refresh_token: g.refreshToken,
          scope: 'user:inference user:profile',
        },
      }),
      accessToken: (n) => `sk-ant-oat01-test-PLACEHOLDER-access-${n}`,
    },
    options,
  );
}

/**
 * Fake Qwen portal token endpoint (`chat.qwen.ai`): `POST /api/v1/oauth2/token`. The portal's
 * OAuth was retired on 2026-04-15, so every refresh is refused, live token or not, and counted
 * (a test asserts none is ever sent). [U] The real answer after the retirement is not known;
 * this one is 400 `invalid_grant`, which Qwen Code answers by deleting its login.
 *
 * @param options - refresh tokens to count as the store's (they are refused all the same), delay
 */
export function startFakeQwenPortalOAuth(options?: FakeOAuthOptions): Promise<FakeOAuthServer> {
  const retired: FakeOAuthReply = {
    status: 400,
    json: { error: 'invalid_grant', error_description: 'Qwen OAuth has been discontinued.' },
  };
  return startFakeOAuthServer(
    {
      name: 'qwen',
      path: '/api/v1/oauth2/token',
      bodyType: 'form',
      rotating: true,
      check: () => retired,
      reused: () => retired,
      unknown: () => retired,
      success: () => retired,
      accessToken: (n) => `test-PLACEHOLDER-qwen-access-${n}`,
    },
    options,
  );
}
