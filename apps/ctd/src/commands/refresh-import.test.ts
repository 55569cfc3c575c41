// `ctd refresh` and `ctd import-manual`: the service's refreshToken and importManual, on a temp home
// with a fake provider on loopback.
import { HistoryFileSchema } from '@ctd/history';
import { createTempHome, type FakeProvider, fixtures, startFakeOpenAI, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCtd } from '../test-support.ts';

const GOOD = 'sk-test-PLACEHOLDER-import-good-000000000';
const BAD = 'sk-test-PLACEHOLDER-import-bad-0000000000';

let home: TempHome;
let openai: FakeProvider;
let env: Record<string, string>;
beforeEach(async () => {
  home = await createTempHome();
  openai = await startFakeOpenAI({ keys: { [GOOD]: 'valid', [BAD]: 'revoked' } });
  env = { ...home.env, CTD_OPENAI_BASE_URL: openai.baseUrl };
});
afterEach(async () => {
  await openai.close();
  await home.cleanup();
});

describe('ctd import-manual', () => {
  it('checks a key read from stdin, records its hash, and never prints it', async () => {
    const r = await runCtd(['import-manual', 'codex', '-'], env, { answer: `${GOOD}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OpenAI API key \(pasted\) .* valid/);
    expect(r.stdout + r.stderr).not.toContain(GOOD);
    const history = HistoryFileSchema.parse(JSON.parse((await runCtd(['history', '--json'], env)).stdout));
    expect(Object.values(history.records).map((rec) => rec.source)).toEqual(['codex-cli']);
    expect(JSON.stringify(history)).not.toContain(GOOD);
  });

  it('exits 3 when the provider does not accept the key, 2 for an unknown CLI', async () => {
    const bad = await runCtd(['import-manual', 'codex-cli', '-', '--json'], env, { answer: BAD });
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout).credential.validation.status).toBe('invalid');
    const unknown = await runCtd(['import-manual', 'nope', '-'], env, { answer: GOOD });
    expect(unknown.code).toBe(2);
    expect((await runCtd(['import-manual', 'codex'], env)).code).toBe(2);
  });
});

describe('ctd refresh', () => {
  it('says how to renew a CLI login, and names an unknown target (exit 2)', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const r = await runCtd(['refresh', 'codex-cli'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('codex login');
    const json = JSON.parse((await runCtd(['refresh', 'codex', '--json'], env)).stdout);
    expect(json.methods.length).toBeGreaterThan(0);
    const unknown = await runCtd(['refresh', 'no-such-id'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-id');
    expect((await runCtd(['refresh'], env)).code).toBe(2);
  });
});
