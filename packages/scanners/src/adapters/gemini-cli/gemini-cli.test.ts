import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from '../../scan.ts';
import { geminiCliAdapter } from './index.ts';

const g = fixtures.gemini;
const { GEMINI } = g;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

/** Scans with the host and user the encrypted fixtures are keyed to. */
const run = (env: Record<string, string> = {}, host: string = GEMINI.hostname) =>
  scan({
    adapters: [geminiCliAdapter],
    env: { ...home.env, ...env },
    hostname: host,
    username: GEMINI.username,
  });

const bySecret = (r: Awaited<ReturnType<typeof run>>, secret: string) =>
  r.credentials.find((c) => c.secret.reveal() === secret);

describe('gemini-cli adapter: OAuth login in oauth_creds.json', () => {
  it('finds the login with email, subject, expiry and refresh token', async () => {
    const path = await g.writeOauthCreds(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'gemini-cli',
      provider: 'google-gemini-cli',
      kind: 'oauth',
      label: 'Gemini CLI Google login',
      hasRefreshToken: true,
      expiresAt: new Date(GEMINI.expiryMs).toISOString(),
    });
    expect(c.origin).toEqual({ type: 'file', path, field: 'access_token' });
    expect(c.account).toEqual({ email: GEMINI.email, userId: GEMINI.sub });
    expect(c.secret.reveal()).toBe(GEMINI.accessToken);
    expect(c.refreshSecret?.reveal()).toBe(GEMINI.refreshToken);
    expect(c.policy).toMatchObject({ stance: 'forbidden', requiresOptIn: true });
    expect(c.refreshMethods.map((m) => m.type)).toContain('oauth-refresh');
    expect(r.locations).toContainEqual(
      expect.objectContaining({ location: path, result: 'found', reason: 'Google OAuth login' }),
    );
  });

  it('is a plain token without a refresh token, and takes the email from google_accounts.json', async () => {
    await g.writeOauthCreds(home, { refreshToken: null, idToken: null });
    await g.writeGoogleAccounts(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({ kind: 'token', hasRefreshToken: false });
    expect(c.account).toEqual({ email: GEMINI.activeEmail });
    expect(c.refreshMethods.map((m) => m.type)).not.toContain('oauth-refresh');
  });

  it('prefers the id_token email over the account cache', async () => {
    await g.writeOauthCreds(home);
    await g.writeGoogleAccounts(home);
    expect((await run()).credentials[0]!.account.email).toBe(GEMINI.email);
  });

  it('keeps the same id when the access token is refreshed', async () => {
    await g.writeOauthCreds(home);
    const before = (await run()).credentials[0]!;
    await g.writeOauthCreds(home, {
      accessToken: 'ya29.test-PLACEHOLDER-refreshed',
      expiryDate: GEMINI.expiryMs + 3_600_000,
    });
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
  });

  it('records a file without an access token as empty, not as an issue', async () => {
    const path = await home.writeJson('.gemini/oauth_creds.json', { refresh_token: GEMINI.refreshToken });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
    expect(r.locations).toContainEqual(expect.objectContaining({ location: path, result: 'empty' }));
  });
});

describe('gemini-cli adapter: settings.json', () => {
  it('records the nested selectedType in the location reason', async () => {
    const path = await g.writeSettings(home, 'vertex-ai');
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
    expect(r.locations).toContainEqual({
      source: 'gemini-cli',
      location: path,
      result: 'found',
      reason: 'selected auth type: vertex-ai',
    });
  });

  it('recognises the legacy top-level selectedAuthType', async () => {
    const path = await g.writeLegacySettings(home, 'gemini-api-key');
    await g.writeGeminiDotEnv(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    const loc = r.locations.find((l) => l.location === path)!;
    expect(loc.reason).toContain('gemini-api-key');
    expect(loc.reason).toContain('legacy');
  });

  it('reads settings with comments (Gemini CLI parses them as JSONC)', async () => {
    const path = await home.write(
      '.gemini/settings.json',
      '{\n  // how to log in\n  "security": { "auth": { /* chosen in /auth */ "selectedType": "cloud-shell" } }\n}\n',
    );
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.locations.find((l) => l.location === path)?.reason).toBe('selected auth type: cloud-shell');
  });

  it('does not echo an unknown auth type', async () => {
    const path = await g.writeSettings(home, 'something-test-PLACEHOLDER');
    const r = await run();
    expect(JSON.stringify(r.locations)).not.toContain('something-test-PLACEHOLDER');
    expect(r.locations.find((l) => l.location === path)?.reason).toContain('unrecognised');
  });

  it('says the login may be in the OS keychain when settings select one that no file holds', async () => {
    const settings = await g.writeSettings(home, 'oauth-personal');
    let r = await run();
    expect(r.issues).toEqual([
      expect.objectContaining({ path: settings, code: 'IN_OS_KEYRING', severity: 'info' }),
    ]);
    expect(r.issues[0]!.message).toContain('gemini-cli-oauth');

    await g.writeSettings(home, 'gemini-api-key');
    r = await run();
    expect(r.issues).toEqual([
      expect.objectContaining({ path: settings, code: 'IN_OS_KEYRING', severity: 'info' }),
    ]);
    expect(r.issues[0]!.message).toContain('gemini-cli-api-key');

    // A key in the environment is what the CLI uses: nothing to hint at.
    r = await run({ GEMINI_API_KEY: GEMINI.envApiKey });
    expect(r.issues).toEqual([]);
  });
});

describe('gemini-cli adapter: API keys', () => {
  it('reads GEMINI_API_KEY and GOOGLE_API_KEY from the environment', async () => {
    const r = await run({ GEMINI_API_KEY: GEMINI.envApiKey, GOOGLE_API_KEY: GEMINI.googleApiKey });
    expect(r.issues).toEqual([]);
    expect(r.credentials.map((c) => [c.provider, c.kind, c.origin])).toEqual([
      ['google', 'api_key', { type: 'env', variable: 'GEMINI_API_KEY' }],
      ['google', 'api_key', { type: 'env', variable: 'GOOGLE_API_KEY' }],
    ]);
    const c = bySecret(r, GEMINI.envApiKey)!;
    expect(c.keyPage).toBe('https://aistudio.google.com/app/apikey');
    expect(c.policy.stance).toBe('allowed');
    expect(c.expiresAt).toBeNull();
  });

  it('reads ~/.gemini/.env and ~/.env as env-file origins', async () => {
    const geminiEnv = await g.writeGeminiDotEnv(home);
    const homeEnv = await g.writeHomeDotEnv(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(bySecret(r, GEMINI.dotEnvApiKey)).toMatchObject({
      provider: 'google',
      kind: 'api_key',
      label: 'Gemini API key',
      origin: { type: 'env-file', path: geminiEnv, variable: 'GEMINI_API_KEY' },
    });
    expect(bySecret(r, GEMINI.homeDotEnvApiKey)).toMatchObject({
      provider: 'google',
      kind: 'api_key',
      label: 'Google API key',
      origin: { type: 'env-file', path: homeEnv, variable: 'GOOGLE_API_KEY' },
    });
    expect(r.credentials).toHaveLength(2);
    // The CLI loads only the first .env it finds; the scan still reports both, with a note.
    expect(r.locations.find((l) => l.location === homeEnv)?.reason).toContain('skips this file');
  });

  it('records a ~/.env without Gemini variables as empty', async () => {
    const path = await g.writeHomeDotEnv(home, { OPENAI_BASE_URL: 'http://localhost' });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.locations).toContainEqual(expect.objectContaining({ location: path, result: 'empty' }));
  });

  it('merges a key found in the environment and in .env files, the environment winning', async () => {
    const geminiEnv = await g.writeGeminiDotEnv(home, { GEMINI_API_KEY: GEMINI.envApiKey });
    const homeEnv = await g.writeHomeDotEnv(home, { GEMINI_API_KEY: GEMINI.envApiKey });
    const r = await run({ GEMINI_API_KEY: GEMINI.envApiKey });
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c.origin).toEqual({ type: 'env', variable: 'GEMINI_API_KEY' });
    expect(c.alsoFoundAt).toEqual([
      { type: 'env-file', path: geminiEnv, variable: 'GEMINI_API_KEY' },
      { type: 'env-file', path: homeEnv, variable: 'GEMINI_API_KEY' },
    ]);
  });
});

describe('gemini-cli adapter: encrypted stores', () => {
  it('decrypts gemini-credentials.json holding an API key and an OAuth login', async () => {
    const path = await g.writeGeminiCredentials(home);
    await g.writeGoogleAccounts(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(2);
    expect(bySecret(r, GEMINI.storedApiKey)).toMatchObject({
      provider: 'google',
      kind: 'api_key',
      expiresAt: null,
      origin: { type: 'file', path, field: 'gemini-cli-api-key.default-api-key.token.accessToken' },
    });
    const login = bySecret(r, GEMINI.storedAccessToken)!;
    expect(login).toMatchObject({
      provider: 'google-gemini-cli',
      kind: 'oauth',
      hasRefreshToken: true,
      expiresAt: new Date(GEMINI.expiryMs).toISOString(),
      account: { email: GEMINI.activeEmail },
      origin: { type: 'file', path, field: 'gemini-cli-oauth.main-account.token.accessToken' },
    });
    expect(login.refreshSecret?.reveal()).toBe(GEMINI.storedRefreshToken);
    // The MCP server's token in another service is not a model credential.
    expect(bySecret(r, GEMINI.mcpAccessToken)).toBeUndefined();
    expect(r.locations).toContainEqual(expect.objectContaining({ location: path, result: 'found' }));
  });

  it('reads an OAuth entry without refresh token or expiry as a plain token', async () => {
    await g.writeGeminiCredentials(home, { apiKey: null, oauth: { accessToken: GEMINI.storedAccessToken } });
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({ kind: 'token', expiresAt: null, hasRefreshToken: false });
  });

  it('records a file holding only other services as empty', async () => {
    const path = await g.writeGeminiCredentials(home, { apiKey: null, oauth: null });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
    expect(r.locations).toContainEqual(expect.objectContaining({ location: path, result: 'empty' }));
  });

  it('decrypts the older mcp-oauth-tokens-v2.json and ignores MCP server entries', async () => {
    const path = await g.writeMcpTokensV2(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(2);
    expect(bySecret(r, GEMINI.legacyApiKey)).toMatchObject({
      provider: 'google',
      kind: 'api_key',
      origin: { type: 'file', path, field: 'default-api-key.token.accessToken' },
    });
    expect(bySecret(r, GEMINI.legacyAccessToken)).toMatchObject({
      provider: 'google-gemini-cli',
      kind: 'oauth',
      expiresAt: new Date(GEMINI.expiryMs).toISOString(),
      origin: { type: 'file', path, field: 'main-account.token.accessToken' },
    });
    expect(bySecret(r, GEMINI.mcpAccessToken)).toBeUndefined();
  });

  it('reports a file from another host as DECRYPT_FAILED and still scans the other sources', async () => {
    const current = await g.writeGeminiCredentials(home);
    const legacy = await g.writeMcpTokensV2(home);
    await g.writeOauthCreds(home);
    await g.writeGeminiDotEnv(home);
    const r = await run({}, 'another-host.example');
    expect(r.issues.map((i) => [i.path, i.code, i.severity])).toEqual([
      [current, 'DECRYPT_FAILED', 'error'],
      [legacy, 'DECRYPT_FAILED', 'error'],
    ]);
    expect(r.issues[0]!.message).toMatch(/another host or by another user/);
    expect(r.credentials.map((c) => c.secret.reveal()).sort()).toEqual(
      [GEMINI.accessToken, GEMINI.dotEnvApiKey].sort(),
    );
  });

  it('reports a file for another user as DECRYPT_FAILED', async () => {
    const path = await g.writeGeminiCredentials(home, { username: 'someone-else' });
    const r = await run();
    expect(r.issues).toEqual([expect.objectContaining({ path, code: 'DECRYPT_FAILED' })]);
  });

  it('reports text that is not in the encrypted format as DECRYPT_FAILED without quoting it', async () => {
    const path = await home.write('.gemini/gemini-credentials.json', `{"token": "${GEMINI.storedApiKey}"}`);
    const r = await run();
    expect(r.issues).toEqual([expect.objectContaining({ path, code: 'DECRYPT_FAILED' })]);
    expect(JSON.stringify(r)).not.toContain(GEMINI.storedApiKey);
  });

  it('reports a damaged entry inside a decrypted file as an issue, keeping the other entry', async () => {
    const line = g.encryptGeminiStore(
      JSON.stringify({
        'gemini-cli-api-key': { 'default-api-key': `{"token": {"accessToken": "${GEMINI.storedApiKey}"` },
        'gemini-cli-oauth': {
          'main-account': JSON.stringify(
            g.storedToken('main-account', { accessToken: GEMINI.storedAccessToken, tokenType: 'Bearer' }),
          ),
        },
      }),
    );
    const path = await home.write('.gemini/gemini-credentials.json', line);
    const r = await run();
    expect(r.issues).toEqual([expect.objectContaining({ path, code: 'INVALID_JSON' })]);
    expect(r.issues[0]!.message).toContain('gemini-cli-api-key/default-api-key');
    expect(JSON.stringify(r.issues)).not.toContain(GEMINI.storedApiKey);
    expect(r.credentials.map((c) => c.secret.reveal())).toEqual([GEMINI.storedAccessToken]);
  });

  it('reports a decrypted file that is not a JSON object as INVALID_SHAPE', async () => {
    const path = await home.write(
      '.gemini/gemini-credentials.json',
      g.encryptGeminiStore(JSON.stringify([GEMINI.storedApiKey])),
    );
    const r = await run();
    expect(r.issues).toEqual([expect.objectContaining({ path, code: 'INVALID_SHAPE' })]);
    expect(JSON.stringify(r.issues)).not.toContain(GEMINI.storedApiKey);
  });
});

describe('gemini-cli adapter: GEMINI_CLI_HOME and the whole store', () => {
  it('honours GEMINI_CLI_HOME, which replaces the home directory', async () => {
    await g.writeOauthCreds(home, { dir: 'elsewhere/.gemini' });
    await g.writeGeminiDotEnv(home, undefined, 'elsewhere/.gemini');
    await g.writeHomeDotEnv(home, undefined, 'elsewhere');
    await g.writeGeminiCredentials(home, { dir: 'elsewhere/.gemini' });
    expect((await run()).credentials).toHaveLength(0);
    const r = await run({ GEMINI_CLI_HOME: home.resolve('elsewhere') });
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(5);
    for (const c of r.credentials) {
      const path = 'path' in c.origin ? c.origin.path : '';
      expect(path.startsWith(home.resolve('elsewhere'))).toBe(true);
    }
    const files = geminiCliAdapter.files({
      home: home.path,
      env: { GEMINI_CLI_HOME: home.resolve('elsewhere') },
      hostname: GEMINI.hostname,
      username: GEMINI.username,
      maxFileBytes: 1024,
      now: new Date(),
    });
    for (const f of files) expect(f.path.startsWith(home.resolve('elsewhere'))).toBe(true);
  });

  it('lists every file it reads, with its format', () => {
    const files = geminiCliAdapter.files({
      home: '/h',
      env: {},
      hostname: 'h',
      username: 'u',
      maxFileBytes: 1024,
      now: new Date(),
    });
    expect(files.map((f) => [f.path, f.format])).toEqual([
      ['/h/.gemini/oauth_creds.json', 'json'],
      ['/h/.gemini/google_accounts.json', 'json'],
      ['/h/.gemini/settings.json', 'json'],
      ['/h/.gemini/.env', 'dotenv'],
      ['/h/.env', 'dotenv'],
      ['/h/.gemini/gemini-credentials.json', 'encrypted'],
      ['/h/.gemini/mcp-oauth-tokens-v2.json', 'encrypted'],
    ]);
  });

  it('finds every variant at once and serializes no secret', async () => {
    await g.writeOauthCreds(home);
    await g.writeGoogleAccounts(home);
    await g.writeSettings(home);
    await g.writeGeminiDotEnv(home);
    await g.writeHomeDotEnv(home);
    await g.writeGeminiCredentials(home);
    await g.writeMcpTokensV2(home);
    const r = await run({ GEMINI_API_KEY: GEMINI.envApiKey, GOOGLE_API_KEY: GEMINI.googleApiKey });
    expect(r.issues).toEqual([]);
    const secrets = [
      GEMINI.envApiKey,
      GEMINI.googleApiKey,
      GEMINI.dotEnvApiKey,
      GEMINI.homeDotEnvApiKey,
      GEMINI.storedApiKey,
      GEMINI.storedAccessToken,
      GEMINI.legacyApiKey,
      GEMINI.legacyAccessToken,
      GEMINI.accessToken,
    ];
    expect(r.credentials.map((c) => c.secret.reveal()).sort()).toEqual([...secrets].sort());
    const refreshTokens = [GEMINI.refreshToken, GEMINI.storedRefreshToken, GEMINI.legacyRefreshToken];
    const everything = [
      JSON.stringify(r),
      JSON.stringify(toScanReport(r, true)),
      JSON.stringify(r.credentials),
      JSON.stringify(r.locations),
    ].join('\n');
    for (const s of [...secrets, ...refreshTokens, GEMINI.mcpAccessToken])
      expect(everything).not.toContain(s);
  });
});
