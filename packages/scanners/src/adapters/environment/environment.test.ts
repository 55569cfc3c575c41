import { sha256Hex } from '@ctd/core/node';
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScanContext } from '../../context.ts';
import { scan, toScanReport } from '../../scan.ts';
import { environmentAdapter } from './index.ts';

const { ENVIRONMENT, ENVIRONMENT_PROVIDERS } = fixtures.environment;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [environmentAdapter], env: { ...home.env, ...env } });

describe('environment adapter', () => {
  it('maps each provider variable to its provider, as an API key from the environment', async () => {
    const r = await run({ ...ENVIRONMENT });
    expect(r.issues).toEqual([]);
    // QWEN_API_KEY and MODELSTUDIO_API_KEY hold different keys here, so both are listed.
    expect(r.credentials).toHaveLength(Object.keys(ENVIRONMENT).length);
    for (const [variable, secret] of Object.entries(ENVIRONMENT)) {
      const c = r.credentials.find((x) => x.origin.type === 'env' && x.origin.variable === variable);
      expect(c, variable).toBeDefined();
      expect(c).toMatchObject({
        source: 'environment',
        provider: ENVIRONMENT_PROVIDERS[variable as keyof typeof ENVIRONMENT],
        kind: 'api_key',
        hash: sha256Hex(secret),
        expiresAt: null,
        hasRefreshToken: false,
      });
      expect(c!.secret.reveal()).toBe(secret);
    }
  });

  it('finds the Moonshot key as moonshot, never as kimi', async () => {
    const r = await run({ MOONSHOT_API_KEY: ENVIRONMENT.MOONSHOT_API_KEY });
    expect(r.credentials.map((c) => [c.provider, c.label])).toEqual([['moonshot', 'Moonshot API key']]);
    expect(r.credentials[0]!.keyPage).toContain('platform.moonshot');
  });

  it('lists one credential when QWEN_API_KEY and MODELSTUDIO_API_KEY hold the same key', async () => {
    const r = await run({
      QWEN_API_KEY: ENVIRONMENT.QWEN_API_KEY,
      MODELSTUDIO_API_KEY: ENVIRONMENT.QWEN_API_KEY,
    });
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]!.origin).toEqual({ type: 'env', variable: 'QWEN_API_KEY' });
    expect(r.credentials[0]!.alsoFoundAt).toEqual([{ type: 'env', variable: 'MODELSTUDIO_API_KEY' }]);
  });

  it('leaves the variables a CLI adapter owns to that adapter, and ignores blank values', async () => {
    const r = await run({
      KIMI_API_KEY: 'sk-test-PLACEHOLDER-kimi',
      GEMINI_API_KEY: 'test-PLACEHOLDER-gemini',
      DASHSCOPE_API_KEY: 'sk-test-PLACEHOLDER-dashscope',
      ANTHROPIC_API_KEY: 'sk-ant-test-PLACEHOLDER',
      CODEX_API_KEY: 'sk-test-PLACEHOLDER-codex',
      OPENAI_API_KEY: '  ',
      MOONSHOT_API_KEY: '',
    });
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
  });

  it('keeps OPENAI_BASE_URL as the key’s base URL', async () => {
    const r = await run({
      OPENAI_API_KEY: ENVIRONMENT.OPENAI_API_KEY,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(r.credentials[0]).toMatchObject({ provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
  });

  it('reads no files and keeps the id when the same key is found again', async () => {
    expect(environmentAdapter.files(createScanContext({ env: home.env }))).toEqual([]);
    const a = (await run({ OPENAI_API_KEY: ENVIRONMENT.OPENAI_API_KEY })).credentials[0]!;
    const b = (await run({ OPENAI_API_KEY: ENVIRONMENT.OPENAI_API_KEY })).credentials[0]!;
    expect(b.id).toBe(a.id);
  });

  it('matches the full-home fixture: fullHomeEnv gives exactly what populate expects', async () => {
    const expected = await fixtures.environment.populate(home);
    const r = await run(fixtures.environment.fullHomeEnv);
    expect(r.credentials.map((c) => [c.source, c.provider, c.kind, c.hash]).sort()).toEqual(
      expected.map((e) => [e.source, e.provider, e.kind, sha256Hex(e.secret)]).sort(),
    );
  });

  it('never serializes a secret', async () => {
    const r = await run({ ...ENVIRONMENT });
    const json = JSON.stringify([r, toScanReport(r, true)]);
    for (const secret of Object.values(ENVIRONMENT)) expect(json).not.toContain(secret);
  });
});
