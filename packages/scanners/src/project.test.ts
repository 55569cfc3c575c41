// Project-level files the CLIs read, found walking up from the working directory (`cwd`):
// Gemini CLI's `.gemini/.env` / `.env`, Qwen Code's workspace `.qwen/settings.json`, Claude
// Code's `.claude/settings.json` and `settings.local.json` `env` blocks.
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan } from './scan.ts';

let home: TempHome;
let work: TempHome;
beforeEach(async () => {
  home = await createTempHome();
  work = await createTempHome('ctd-project-');
});
afterEach(async () => {
  await home.cleanup();
  await work.cleanup();
});

const GEMINI_KEY = 'AIzaSyTEST-PLACEHOLDER-project-gemini-000000';
const QWEN_KEY = 'sk-test-PLACEHOLDER-project-qwen-0000000000';
const CLAUDE_KEY = 'sk-ant-api03-test-PLACEHOLDER-project-claude-00';
const CLAUDE_TOKEN = 'test-PLACEHOLDER-user-settings-auth-token-000';

describe('project-level files', () => {
  it('are read walking up from cwd, and not without a cwd', async () => {
    const geminiEnv = await work.write('repo/.gemini/.env', `GEMINI_API_KEY=${GEMINI_KEY}\n`);
    // Shadowed: Gemini CLI loads only the nearest .env file.
    await work.write('.env', 'GEMINI_API_KEY=AIzaSyTEST-PLACEHOLDER-shadowed-0000000000\n');
    const qwen = await work.writeJson('repo/.qwen/settings.json', { env: { DASHSCOPE_API_KEY: QWEN_KEY } });
    const claude = await work.writeJson('repo/.claude/settings.local.json', {
      env: { ANTHROPIC_API_KEY: CLAUDE_KEY },
    });
    const user = await home.writeJson('.claude/settings.json', {
      env: { ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN },
    });
    await work.mkdir('repo/src/deep');

    const r = await scan({ env: { HOME: home.path }, cwd: work.resolve('repo/src/deep'), windowsHome: null });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.credentials.map((c) => [c.source, c.provider, c.kind, c.secret.reveal(), c.origin])).toEqual([
      [
        'gemini-cli',
        'google',
        'api_key',
        GEMINI_KEY,
        { type: 'env-file', path: geminiEnv, variable: 'GEMINI_API_KEY' },
      ],
      ['qwen-cli', 'qwen', 'api_key', QWEN_KEY, { type: 'file', path: qwen, field: 'env.DASHSCOPE_API_KEY' }],
      [
        'claude-code',
        'anthropic',
        'token',
        CLAUDE_TOKEN,
        { type: 'env-file', path: user, variable: 'ANTHROPIC_AUTH_TOKEN' },
      ],
      [
        'claude-code',
        'anthropic',
        'api_key',
        CLAUDE_KEY,
        { type: 'env-file', path: claude, variable: 'ANTHROPIC_API_KEY' },
      ],
    ]);

    const noCwd = await scan({ env: { HOME: home.path }, windowsHome: null });
    expect(noCwd.credentials.map((c) => c.secret.reveal())).toEqual([CLAUDE_TOKEN]);
  });
});
