// A Windows-shaped home: USERPROFILE instead of HOME, %APPDATA% for the GitHub CLI. The CLIs keep
// their stores under %USERPROFILE% (.codex, .gemini, .claude, .copilot, .qwen, …) as elsewhere.
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan } from './scan.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome('ctd-userprofile-');
});
afterEach(() => home.cleanup());

describe('Windows paths', () => {
  it('reads the stores under %USERPROFILE%, and gh from %APPDATA%\\GitHub CLI', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    await fixtures.claude.writeClaudeCredentials(home);
    await fixtures.copilot.writeCopilotConfig(home);
    const gh = await home.write(
      'AppData/Roaming/GitHub CLI/hosts.yml',
      `github.com:\n    oauth_token: ${fixtures.copilot.COPILOT.ghToken}\n    user: octocat\n`,
    );
    const r = await scan({
      env: { USERPROFILE: home.path, APPDATA: home.resolve('AppData/Roaming') },
      platform: 'win32',
      windowsHome: null,
    });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.credentials.map((c) => [c.source, c.origin.type === 'file' ? c.origin.path : ''])).toEqual([
      ['codex-cli', home.resolve('.codex/auth.json')],
      ['claude-code', home.resolve('.claude/.credentials.json')],
      ['github-copilot-cli', home.resolve('.copilot/config.json')],
      ['github-copilot-cli', gh],
    ]);
  });
});
