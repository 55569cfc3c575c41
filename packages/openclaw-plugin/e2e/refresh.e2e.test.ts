// End to end, the refresher in a real OpenClaw 2026.9.6 gateway: a Codex ChatGPT login whose
// access token expires in 2 minutes is refreshed by the plugin's background service through a
// fake OpenAI token endpoint (single-use refresh tokens), written back to ~/.codex/auth.json, and
// the gateway's profile carries the new access token before the old one expires (never the
// refresh token); a store changed on disk is re-imported by the watcher. Run with
// `npm run test:e2e` (or this file alone: `npm run test:e2e -- refresh`).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FakeOAuthServer, fixtures, startFakeOpenAIOAuth } from '@ctd/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSandbox,
  ensureOpenClaw,
  type Gateway,
  GatewayClient,
  PLUGIN_ID,
  packPlugin,
  type Sandbox,
  waitFor,
} from './gateway.ts';
import { type E2eFakes, startE2eFakes } from './world.ts';

/** The old access token's life when the gateway starts (the 2 minutes). */
const ACCESS_LIFETIME_MS = 120_000;
const GEMINI_KEY = 'AIzaSy-test-PLACEHOLDER-e2e-watch-0000000';

let sandbox: Sandbox | undefined;
let fakes: E2eFakes | undefined;
let oauth: FakeOAuthServer | undefined;
let gateway: Gateway | undefined;
let client: GatewayClient | undefined;
let oldAccess: string;
let oldExpiresAt: number;
const failures: string[] = [];

beforeEach(({ onTestFailed }) => {
  onTestFailed(({ task }) => {
    failures.push(`${task.name}: ${task.result?.errors?.[0]?.message?.split('\n')[0] ?? ''}`);
  });
});

interface StatusRow {
  id: string;
  source: string;
  provider: string;
  hash: string;
  expiresAt?: string | null;
  import: { status: string; profileId?: string };
}

beforeAll(async () => {
  const install = ensureOpenClaw();
  sandbox = await createSandbox(install, { prefix: 'ctd-e2e-refresh-' });
  oauth = await startFakeOpenAIOAuth({ refreshTokens: [fixtures.codex.CODEX.refreshToken], expiresIn: 3600 });
  fakes = await startE2eFakes([]);
  Object.assign(sandbox.env, fakes.env, { CTD_OPENAI_OAUTH_URL: oauth.origin });
  const packed = packPlugin(sandbox.harnessDir);
  await sandbox.installPlugin(packed.tarball);
  await sandbox.configurePlugin({
    // The refreshed token comes from the provider's own token endpoint; no live check is needed.
    validateTokens: false,
    autoRefresh: true,
    // Codex refreshes when the JWT expires; a minute ahead leaves the gateway time to start.
    refreshAheadMinutes: 1,
    watch: true,
    cliSources: { 'codex-cli': { importLogins: true } },
  });
  // The login is written last, just before the gateway starts: its 2 minutes start now.
  oldExpiresAt = Date.now() + ACCESS_LIFETIME_MS;
  oldAccess = fixtures.codex.codexAccessToken(Math.floor(oldExpiresAt / 1000));
  await fixtures.codex.writeCodexChatGpt(sandbox.home, '.codex', oldAccess);
  const auth = JSON.parse(await readFile(sandbox.home.resolve('.codex/auth.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  await sandbox.home.writeJson('.codex/auth.json', { ...auth, last_refresh: new Date().toISOString() });
  gateway = sandbox.startGateway();
  await gateway.waitReady();
  client = await GatewayClient.connect(sandbox);
}, 600_000);

afterAll(async () => {
  client?.close();
  const exit = await gateway?.stop().catch((error: unknown) => ({ error: String(error) }));
  await oauth?.close();
  await fakes?.close();
  if (sandbox && (failures.length > 0 || process.env.CTD_E2E_KEEP)) {
    await writeFile(join(sandbox.harnessDir, 'rpc-frames.jsonl'), `${client?.frames.join('\n') ?? ''}\n`);
    console.error(
      [
        ...failures.map((f) => `[e2e refresh] failed: ${f}`),
        `[e2e refresh] kept ${sandbox.home.path} (gateway exit ${JSON.stringify(exit)})`,
      ].join('\n'),
    );
  } else {
    await sandbox?.cleanup();
  }
}, 120_000);

describe('the refresher in a real gateway', () => {
  it('refreshes a login expiring in 2 minutes, writes it back, and the profile has the new token in time', async () => {
    const s = sandbox as Sandbox;
    // The plugin's scheduler spends the refresh token once, through the fake endpoint.
    await waitFor(
      'a refresh through the fake token endpoint',
      async () => (oauth!.stats.grants > 0 ? true : undefined),
      {
        timeoutMs: ACCESS_LIFETIME_MS,
        intervalMs: 200,
      },
    );
    const grant = oauth!.grants[0]!;
    // Written back in Codex's own format: the new tokens, the account kept, last_refresh now.
    const store = await waitFor(
      'the new tokens in ~/.codex/auth.json',
      async () => {
        const json = JSON.parse(await readFile(s.home.resolve('.codex/auth.json'), 'utf8')) as {
          tokens: { access_token: string; refresh_token: string; account_id: string };
          last_refresh: string;
        };
        return json.tokens.access_token === grant.accessToken ? json : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(store.tokens.refresh_token).toBe(grant.refreshToken);
    expect(store.tokens.account_id).toBe(fixtures.codex.CODEX.accountId);
    expect(Date.parse(store.last_refresh)).toBeGreaterThan(oldExpiresAt - ACCESS_LIFETIME_MS - 1_000);
    // OpenClaw's profile holds the new access token, before the old one expires...
    const holders = await waitFor(
      'the new access token in the gateway’s auth profiles',
      async () => {
        const files = (await s.filesContaining(grant.accessToken)).filter((f) => !f.startsWith('.codex/'));
        return files.length > 0 ? files : undefined;
      },
      { timeoutMs: Math.max(1_000, oldExpiresAt - Date.now()), intervalMs: 200 },
    );
    expect(Date.now()).toBeLessThan(oldExpiresAt);
    expect(holders.join(' ')).toMatch(/\.openclaw\//);
    // ...and never the refresh token: the CLI stays the one owner of its token chain.
    expect(await s.filesContaining(grant.refreshToken)).toEqual(['.codex/auth.json']);
    expect(oauth!.stats.reuses).toBe(0);
    // The gateway log says so, and operators got the event.
    const logs = (await s.logText()).map((l) => l.text).join('\n');
    expect(logs).toMatch(/\[cli-token-discovery\] codex-cli \S+ refreshed/);
    expect(logs).not.toContain(grant.accessToken);
    expect(logs).not.toContain(grant.refreshToken);
    await waitFor(
      'the plugin.cli-token-discovery.refreshed event',
      async () =>
        client!.frames.some((f) => f.includes(`"plugin.${PLUGIN_ID}.refreshed"`)) ? true : undefined,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(client!.frames.join('\n')).not.toContain(grant.accessToken);
  });

  it('re-imports a store changed on disk by itself (the watcher)', async () => {
    const s = sandbox as Sandbox;
    // The user pastes a key into Gemini CLI's .env: no scan is asked for.
    await s.home.write('.gemini/.env', `GEMINI_API_KEY=${GEMINI_KEY}\n`);
    const row = await waitFor(
      'the Gemini key imported by the watcher',
      async () => {
        const r = await client!.call<{ credentials: StatusRow[] }>('tokenDiscovery.status', {});
        return r.payload?.credentials.find(
          (c) => c.source === 'gemini-cli' && c.provider === 'google' && c.import.status === 'imported',
        );
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(row.import.profileId).toMatch(/^google:ctd-gemini-cli-/);
    const logs = (await s.logText()).map((l) => l.text).join('\n');
    expect(logs).toMatch(/\[cli-token-discovery\] gemini-cli store changed: scanned again in \d+ ms/);
    expect(logs).not.toContain(GEMINI_KEY);
  });
});
