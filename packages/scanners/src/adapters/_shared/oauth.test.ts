import { describe, expect, it } from 'vitest';
import { detectJsonStyle, formatJson } from './json-store.ts';
import {
  failedRefresh,
  OAUTH_ENDPOINTS,
  oauthErrorCode,
  refreshHintOf,
  rememberRefreshHint,
  tokensFromAnswer,
  tokenUrl,
} from './oauth.ts';

describe('tokenUrl', () => {
  it('takes CTD_*_OAUTH_URL, then the CLI variables, then the default; trailing slashes dropped', () => {
    const kimi = OAUTH_ENDPOINTS.kimi;
    expect(tokenUrl(kimi, {})).toBe('https://auth.kimi.com/api/oauth/token');
    expect(tokenUrl(kimi, { KIMI_OAUTH_HOST: 'https://b.test//' })).toBe('https://b.test/api/oauth/token');
    expect(
      tokenUrl(kimi, { KIMI_OAUTH_HOST: 'https://b.test', KIMI_CODE_OAUTH_HOST: 'https://a.test' }),
    ).toBe('https://a.test/api/oauth/token');
    expect(
      tokenUrl(kimi, { CTD_KIMI_OAUTH_URL: 'http://127.0.0.1:1/', KIMI_CODE_OAUTH_HOST: 'https://a.test' }),
    ).toBe('http://127.0.0.1:1/api/oauth/token');
    expect(tokenUrl(OAUTH_ENDPOINTS.google, { CTD_GOOGLE_OAUTH_URL: '  ' })).toBe(
      'https://oauth2.googleapis.com/token',
    );
  });
});

describe('reading token answers', () => {
  it('finds the error code where Codex looks, and never echoes a sentence or a token as a code', () => {
    expect(oauthErrorCode(401, { error: { code: 'refresh_token_reused' } })).toBe('refresh_token_reused');
    expect(oauthErrorCode(400, { error: 'invalid_grant' })).toBe('invalid_grant');
    expect(oauthErrorCode(400, { code: 'refresh_token_expired' })).toBe('refresh_token_expired');
    expect(oauthErrorCode(401, { error: { type: 'authentication_error' } })).toBe('authentication_error');
    expect(oauthErrorCode(400, { error: 'this is a sentence' })).toBe('http_400');
    expect(oauthErrorCode(502, null)).toBe('http_502');
  });

  it('keeps tokens out of reasons', () => {
    const token = 'rt_test_PLACEHOLDER_0123456789abcdefghijklmnop';
    const answer = failedRefresh(
      'X',
      400,
      { error: 'invalid_grant', error_description: `token ${token} is dead` },
      {
        permanentCodes: ['invalid_grant'],
      },
    );
    expect(answer).toMatchObject({ permanent: true, code: 'invalid_grant' });
    expect(answer.reason).not.toContain(token);
    expect(answer.reason).toContain('log in again');
  });

  it('takes the expiry from expires_in, else from the JWT exp; a 200 without a token is transient', () => {
    const now = new Date(1_700_000_000_000);
    expect(tokensFromAnswer('X', 200, { access_token: 'a', expires_in: 60 }, now)).toEqual({
      ok: true,
      tokens: { accessToken: 'a', expiresAtMs: 1_700_000_060_000, expiresInSeconds: 60 },
    });
    const jwt = `e30.${Buffer.from(JSON.stringify({ exp: 1_800_000_000 })).toString('base64url')}.c2ln`;
    expect(tokensFromAnswer('X', 200, { access_token: jwt }, now)).toMatchObject({
      ok: true,
      tokens: { expiresAtMs: 1_800_000_000_000 },
    });
    expect(tokensFromAnswer('X', 200, null, now)).toMatchObject({
      ok: false,
      permanent: false,
      code: 'bad_response',
    });
    expect(tokensFromAnswer('X', 200, { token: 'x' }, now)).toMatchObject({
      ok: false,
      code: 'bad_response',
    });
  });
});

describe('refresh hints', () => {
  it('are found again by id and hash, and bounded', () => {
    rememberRefreshHint({ id: 'a', hash: 'h1' }, { expiresInSeconds: 60 });
    expect(refreshHintOf({ id: 'a', hash: 'h1' })).toEqual({ expiresInSeconds: 60 });
    expect(refreshHintOf({ id: 'a', hash: 'h2' })).toEqual({});
    for (let i = 0; i < 300; i++) rememberRefreshHint({ id: 'b', hash: `${i}` }, { lastRefreshMs: i });
    expect(refreshHintOf({ id: 'a', hash: 'h1' })).toEqual({});
    expect(refreshHintOf({ id: 'b', hash: '299' })).toEqual({ lastRefreshMs: 299 });
  });
});

describe('JSON layouts', () => {
  const value = { a: 'x', n: 3600, f: 1.5, nested: { k: [1, 2], e: {} }, empty: [] };
  it.each([
    ['two spaces and a newline', `${JSON.stringify(value, null, 2)}\n`],
    ['a tab, no newline', JSON.stringify(value, null, '\t')],
    ['compact', JSON.stringify(value)],
  ])('round-trips %s', (_name, original) => {
    expect(formatJson(JSON.parse(original), detectJsonStyle(original))).toBe(original);
  });

  it("round-trips Python's json.dumps: spaced separators, floats with a point", () => {
    const py =
      '{"access_token": "a", "expires_at": 1790000000.123, "expires_in": 3600.0, "n": 3, "l": [1, 2]}';
    const parsed = JSON.parse(py);
    expect(formatJson(parsed, detectJsonStyle(py))).toBe(py);
    parsed.expires_at = 1800000000;
    parsed.expires_in = 900;
    expect(formatJson(parsed, detectJsonStyle(py))).toBe(
      '{"access_token": "a", "expires_at": 1800000000.0, "expires_in": 900.0, "n": 3, "l": [1, 2]}',
    );
  });
});
