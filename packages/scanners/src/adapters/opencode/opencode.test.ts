import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from '../../scan.ts';
import { opencodeAdapter } from './index.ts';

const { OPENCODE } = fixtures.opencode;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [opencodeAdapter], env: { ...home.env, ...env } });

describe('opencode adapter', () => {
  it('finds every entry type of the reference file', async () => {
    const path = await fixtures.opencode.writeOpencodeAuth(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    const view = r.credentials.map((c) => ({
      provider: c.provider,
      kind: c.kind,
      origin: c.origin,
      account: c.account,
      expiresAt: c.expiresAt,
      baseUrl: c.baseUrl,
      hasRefreshToken: c.hasRefreshToken,
    }));
    const expires = new Date(OPENCODE.expires).toISOString();
    const wellknownKey = `${OPENCODE.wellknownUrl}/`;
    expect(view).toEqual([
      {
        provider: 'anthropic',
        kind: 'oauth',
        origin: { type: 'file', path, field: 'anthropic.access' },
        account: {},
        expiresAt: expires,
        baseUrl: undefined,
        hasRefreshToken: true,
      },
      {
        provider: 'openai',
        kind: 'oauth',
        origin: { type: 'file', path, field: 'openai.access' },
        account: { accountId: OPENCODE.openaiAccountId },
        expiresAt: expires,
        baseUrl: undefined,
        hasRefreshToken: true,
      },
      {
        provider: 'github-copilot',
        kind: 'oauth',
        origin: { type: 'file', path, field: 'github-copilot.access' },
        account: {},
        expiresAt: null,
        baseUrl: undefined,
        hasRefreshToken: true,
      },
      {
        provider: 'deepseek',
        kind: 'api_key',
        origin: { type: 'file', path, field: 'deepseek.key' },
        account: {},
        expiresAt: null,
        baseUrl: undefined,
        hasRefreshToken: false,
      },
      {
        provider: OPENCODE.wellknownUrl,
        kind: 'token',
        origin: { type: 'file', path, field: `${wellknownKey}.token` },
        account: {},
        expiresAt: null,
        baseUrl: OPENCODE.wellknownUrl,
        hasRefreshToken: false,
      },
    ]);
    expect(r.credentials.map((c) => c.secret.reveal())).toEqual([
      OPENCODE.anthropicAccess,
      OPENCODE.openaiAccess,
      OPENCODE.copilotAccess,
      OPENCODE.deepseekKey,
      OPENCODE.wellknownToken,
    ]);
    expect(r.credentials[0]!.refreshSecret?.reveal()).toBe(OPENCODE.anthropicRefresh);
  });

  it('carries the provider policies: Anthropic and Copilot logins need an opt-in, keys and OpenAI do not', async () => {
    await fixtures.opencode.writeOpencodeAuth(home);
    const byProvider = Object.fromEntries((await run()).credentials.map((c) => [c.provider, c.policy]));
    expect(byProvider.anthropic).toMatchObject({ stance: 'warn', requiresOptIn: true });
    expect(byProvider['github-copilot']).toMatchObject({ requiresOptIn: true });
    expect(byProvider.openai).toMatchObject({ stance: 'allowed', requiresOptIn: false });
    expect(byProvider.deepseek).toMatchObject({ stance: 'allowed', requiresOptIn: false });
  });

  it('maps opencode provider ids to OpenClaw ids only where they name the same provider', async () => {
    await fixtures.opencode.writeOpencodeAuth(home, {
      moonshotai: { type: 'api', key: 'sk-test-PLACEHOLDER-moonshot-intl' },
      'moonshotai-cn': { type: 'api', key: 'sk-test-PLACEHOLDER-moonshot-cn' },
      'alibaba-cn': { type: 'api', key: 'sk-test-PLACEHOLDER-dashscope-cn' },
      'kimi-for-coding': { type: 'api', key: 'sk-kimi-test-PLACEHOLDER' },
      openrouter: { type: 'api', key: 'sk-or-v1-test-PLACEHOLDER' },
      opencode: { type: 'api', key: 'test-PLACEHOLDER-opencode-zen' },
      zai: { type: 'api', key: 'test-PLACEHOLDER-zai' },
    });
    expect((await run()).credentials.map((c) => [c.provider, c.baseUrl])).toEqual([
      ['moonshot', 'https://api.moonshot.ai/v1'],
      ['moonshot', 'https://api.moonshot.cn/v1'],
      ['qwen', 'https://dashscope.aliyuncs.com/compatible-mode/v1'],
      ['kimi', undefined],
      ['openrouter', undefined],
      ['opencode', undefined],
      ['zai', undefined],
    ]);
  });

  it('skips entries that match no schema with a note, not an error', async () => {
    const path = await fixtures.opencode.writeOpencodeAuth(home, {
      deepseek: { type: 'api', key: OPENCODE.deepseekKey },
      broken: { type: 'oauth', access: 'test-PLACEHOLDER-no-refresh' },
      future: { type: 'passkey', id: 'x' },
      junk: 42,
    });
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials.map((c) => c.provider)).toEqual(['deepseek']);
    const skipped = r.locations.filter((l) => l.result === 'skipped');
    expect(skipped.map((l) => l.location)).toEqual([`${path}#broken`, `${path}#future`, `${path}#junk`]);
    expect(skipped.every((l) => l.reason.includes('opencode ignores it'))).toBe(true);
  });

  it('reports a file whose top level is not an object as a bad shape', async () => {
    const path = await fixtures.opencode.writeOpencodeAuth(home, [{ type: 'api', key: 'x' }]);
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ path, code: 'INVALID_SHAPE' });
  });

  it('keeps the same id when the access token is refreshed', async () => {
    await fixtures.opencode.writeOpencodeAuth(home);
    const before = (await run()).credentials;
    const content = fixtures.opencode.opencodeAuthContent() as Record<string, Record<string, unknown>>;
    content.anthropic!.access = 'sk-ant-oat01-test-PLACEHOLDER-rotated';
    content.openai!.access = 'test-PLACEHOLDER-openai-rotated';
    await fixtures.opencode.writeOpencodeAuth(home, content);
    const after = (await run()).credentials;
    for (const i of [0, 1]) {
      expect(after[i]!.hash).not.toBe(before[i]!.hash);
      expect(after[i]!.id).toBe(before[i]!.id);
    }
  });

  it('honours XDG_DATA_HOME', async () => {
    await fixtures.opencode.writeOpencodeAuth(home, undefined, 'data/opencode');
    expect((await run()).credentials).toHaveLength(0);
    const r = await run({ XDG_DATA_HOME: home.resolve('data') });
    expect(r.credentials).toHaveLength(5);
    expect(r.credentials[0]!.origin).toMatchObject({ path: home.resolve('data/opencode/auth.json') });
  });

  it('lets OPENCODE_AUTH_CONTENT replace the file', async () => {
    const path = await fixtures.opencode.writeOpencodeAuth(home);
    const content = JSON.stringify({ deepseek: { type: 'api', key: 'sk-test-PLACEHOLDER-from-env' } });
    const r = await run({ OPENCODE_AUTH_CONTENT: content });
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'deepseek',
      kind: 'api_key',
      origin: { type: 'env', variable: 'OPENCODE_AUTH_CONTENT' },
    });
    expect(r.locations).toContainEqual(expect.objectContaining({ location: path, result: 'skipped' }));
  });

  it('reports bad OPENCODE_AUTH_CONTENT as an issue without echoing it', async () => {
    const canary = 'sk-test-PLACEHOLDER-canary-in-env';
    for (const [content, code] of [
      [`{"deepseek": {"type": "api", "key": "${canary}"`, 'INVALID_JSON'],
      [`key=${canary}`, 'INVALID_JSON'],
      [`["${canary}"]`, 'INVALID_SHAPE'],
    ] as const) {
      await fixtures.opencode.writeOpencodeAuth(home);
      const r = await run({ OPENCODE_AUTH_CONTENT: content });
      expect(r.credentials, content).toEqual([]);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ path: '$OPENCODE_AUTH_CONTENT', code });
      expect(JSON.stringify(r.issues)).not.toContain(canary);
    }
  });

  it('finds the console accounts and v2 credentials of opencode.db (1.18), read-only', async () => {
    const D = fixtures.opencode.OPENCODE_DB;
    const path = await fixtures.opencode.writeOpencodeDb(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(
      r.credentials.map((c) => [
        c.provider,
        c.kind,
        c.secret.reveal(),
        c.account,
        c.origin.type === 'file' && c.origin.field,
      ]),
    ).toEqual([
      [
        'opencode',
        'oauth',
        D.accountAccess,
        { email: D.email, accountId: D.accountId },
        `account[${D.accountId}].access_token`,
      ],
      [
        'opencode',
        'oauth',
        D.controlAccess,
        { email: D.email },
        `control_account[${D.email} ${D.url}].access_token`,
      ],
      ['deepseek', 'api_key', D.credentialKey, {}, 'credential[cred_PLACEHOLDER1].value.key'],
      ['openai', 'oauth', D.credentialAccess, {}, 'credential[cred_PLACEHOLDER2].value.access'],
    ]);
    expect(r.credentials[0]).toMatchObject({
      baseUrl: D.url,
      expiresAt: new Date(D.tokenExpiry).toISOString(),
    });
    expect(r.locations.find((l) => l.location === path)).toMatchObject({ result: 'found' });
    // Logins kept in SQLite are never refreshed here: opencode's own database is not rewritten.
    for (const c of r.credentials) expect(opencodeAdapter.oauthRefresh?.(c)).toBeUndefined();
  });

  it('reads opencode.db while opencode holds a write transaction, and never keeps a lock on it', async () => {
    const path = await fixtures.opencode.writeOpencodeDb(home);
    const { DatabaseSync } = await import('node:sqlite');
    const cli = new DatabaseSync(path, { timeout: 0 });
    try {
      cli.exec('BEGIN IMMEDIATE');
      cli.exec("UPDATE account SET email = 'changed@example.com'");
      const r = await run();
      // The committed state is read; the uncommitted write is not.
      expect(r.credentials.filter((c) => c.provider === 'opencode').map((c) => c.account.email)).toEqual([
        fixtures.opencode.OPENCODE_DB.email,
        fixtures.opencode.OPENCODE_DB.email,
      ]);
      cli.exec('COMMIT');
      // No reader is left behind: an exclusive lock is granted at once (timeout 0).
      cli.exec('BEGIN EXCLUSIVE');
      cli.exec('COMMIT');
    } finally {
      cli.close();
    }
  });

  it('reports an opencode.db that is not a database as one issue, and still reads auth.json', async () => {
    await fixtures.opencode.writeOpencodeAuth(home);
    const path = await home.write('.local/share/opencode/opencode.db', 'sk-test-CANARY-not-a-database');
    const r = await run();
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([[path, 'INVALID_SHAPE']]);
    expect(JSON.stringify(r.issues)).not.toContain('CANARY');
    expect(r.credentials.length).toBeGreaterThan(0);
  });

  it('counts the MCP logins of mcp-auth.json without listing them', async () => {
    const path = await fixtures.opencode.writeOpencodeMcpAuth(home);
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.locations.find((l) => l.location === path)?.reason).toContain('1 MCP server login(s)');
    expect(JSON.stringify(toScanReport(r, true))).not.toContain('PLACEHOLDER-mcp-access');
  });

  it('never serializes a secret', async () => {
    await fixtures.opencode.writeOpencodeAuth(home);
    const r = await run();
    const json = JSON.stringify(toScanReport(r, true));
    for (const secret of [
      OPENCODE.anthropicAccess,
      OPENCODE.anthropicRefresh,
      OPENCODE.openaiAccess,
      OPENCODE.copilotRefresh,
      OPENCODE.deepseekKey,
      OPENCODE.wellknownToken,
    ])
      expect(json).not.toContain(secret);
  });
});
