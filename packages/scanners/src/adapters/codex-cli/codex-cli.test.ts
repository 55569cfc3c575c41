import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan } from '../../scan.ts';
import { codexCliAdapter } from './index.ts';

const { CODEX } = fixtures.codex;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [codexCliAdapter], env: { ...home.env, ...env } });

describe('codex-cli adapter', () => {
  it('finds an API-key login (fixture A)', async () => {
    const path = await fixtures.codex.writeCodexApiKey(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'codex-cli',
      provider: 'openai',
      kind: 'api_key',
      hasRefreshToken: false,
    });
    expect(c.origin).toEqual({ type: 'file', path, field: 'OPENAI_API_KEY' });
    expect(c.secret.reveal()).toBe(CODEX.apiKey);
    expect(c.keyPage).toBe('https://platform.openai.com/api-keys');
  });

  it('finds a ChatGPT login with account, email, plan and expiry from the JWTs (fixture B)', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const r = await run();
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({ kind: 'oauth', label: 'ChatGPT login', hasRefreshToken: true });
    expect(c.account).toEqual({
      email: CODEX.email,
      plan: 'plus',
      accountId: CODEX.accountId,
      userId: 'user-PLACEHOLDER',
    });
    expect(c.expiresAt).toBe(new Date(CODEX.exp * 1000).toISOString());
    expect(c.refreshSecret?.reveal()).toBe(CODEX.refreshToken);
    expect(c.policy.stance).toBe('allowed');
  });

  it('reads a legacy file without auth_mode and takes the account from the id_token (fixture C)', async () => {
    await fixtures.codex.writeCodexLegacy(home);
    const r = await run();
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]!.account.accountId).toBe(CODEX.accountId);
  });

  it('keeps the same id when the tokens are refreshed', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const before = (await run()).credentials[0]!;
    await fixtures.codex.writeCodexChatGpt(home, '.codex', fixtures.codex.codexAccessToken(CODEX.exp + 3600));
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
  });

  it('honours CODEX_HOME', async () => {
    await fixtures.codex.writeCodexApiKey(home, 'elsewhere/codex');
    expect((await run()).credentials).toHaveLength(0);
    expect((await run({ CODEX_HOME: home.resolve('elsewhere/codex') })).credentials).toHaveLength(1);
  });

  it('reports a keyring store as an info issue when there is no auth.json', async () => {
    for (const mode of ['keyring', 'auto']) {
      await fixtures.codex.writeCodexConfig(home, mode);
      const r = await run();
      expect(r.credentials).toEqual([]);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ code: 'IN_OS_KEYRING', severity: 'info' });
      expect(r.issues[0]!.message).toContain('OS keyring');
    }
  });

  it('reads CODEX_API_KEY from the environment', async () => {
    const r = await run({ CODEX_API_KEY: CODEX.envApiKey });
    expect(r.credentials.map((c) => c.origin)).toEqual([{ type: 'env', variable: 'CODEX_API_KEY' }]);
  });
});
