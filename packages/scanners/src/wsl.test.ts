// Under WSL the Windows home is scanned too: a Windows-shaped home (C:\Users\<name> mounted at
// /mnt/c/Users/<name>) beside the Linux one.
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan } from './scan.ts';
import { windowsHomeOf } from './wsl.ts';

let linux: TempHome;
let mnt: TempHome;
beforeEach(async () => {
  linux = await createTempHome();
  mnt = await createTempHome('ctd-mnt-c-');
});
afterEach(async () => {
  await linux.cleanup();
  await mnt.cleanup();
});

/** A Windows user folder under a fake /mnt/c/Users, with its own CLI logins. */
async function windowsUser(name: string): Promise<TempHome> {
  await mnt.mkdir(`Users/${name}`);
  await mnt.mkdir('Users/Public');
  await mnt.mkdir('Users/Default');
  const base = mnt.resolve(`Users/${name}`);
  // The fixtures write relative to a home: a view of the Windows home with the same helpers.
  return {
    ...mnt,
    path: base,
    env: { HOME: base },
    resolve: (rel: string) => `${base}/${rel}`,
    write: (rel, content, mode) => mnt.write(`Users/${name}/${rel}`, content, mode),
    writeJson: (rel, value, mode) => mnt.writeJson(`Users/${name}/${rel}`, value, mode),
    mkdir: (rel) => mnt.mkdir(`Users/${name}/${rel}`),
    symlink: (rel, target) => mnt.symlink(`Users/${name}/${rel}`, target),
  };
}

describe('WSL', () => {
  it('finds the Windows user folder: the one named like the Linux user, or the only person there', async () => {
    await windowsUser('Alice');
    const users = mnt.resolve('Users');
    const wsl = { WSL_DISTRO_NAME: 'Debian' };
    expect(await windowsHomeOf(wsl, 'alice', users)).toBe(`${users}/Alice`);
    expect(await windowsHomeOf(wsl, 'bob', users)).toBe(`${users}/Alice`);
    await mnt.mkdir('Users/Carol');
    expect(await windowsHomeOf(wsl, 'bob', users)).toBeUndefined();
    // Not WSL: nothing, unless CTD_WINDOWS_HOME names it (empty turns it off).
    expect(await windowsHomeOf({}, 'alice', users)).toBeUndefined();
    expect(await windowsHomeOf({ CTD_WINDOWS_HOME: `${users}/Carol` }, 'x', users)).toBe(`${users}/Carol`);
    expect(await windowsHomeOf({ ...wsl, CTD_WINDOWS_HOME: '' }, 'alice', users)).toBeUndefined();
  });

  it('scans the Windows home too, each credential saying which side it came from', async () => {
    const win = await windowsUser('Alice');
    await fixtures.codex.writeCodexApiKey(linux);
    await fixtures.codex.writeCodexChatGpt(win);
    await fixtures.claude.writeClaudeCredentials(win);
    await fixtures.copilot.writeCopilotConfig(win);
    const r = await scan({
      // CODEX_HOME names a Linux path: it must not move the Windows side's store.
      env: { HOME: linux.path, CODEX_HOME: linux.resolve('.codex'), CTD_WINDOWS_HOME: win.path },
    });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(
      r.credentials.map((c) => [c.source, c.label, c.origin.type === 'file' ? c.origin.path : '']),
    ).toEqual([
      ['codex-cli', 'OpenAI API key', linux.resolve('.codex/auth.json')],
      ['codex-cli', 'ChatGPT login (Windows side)', win.resolve('.codex/auth.json')],
      ['claude-code', 'Claude login (Windows side)', win.resolve('.claude/.credentials.json')],
      ['github-copilot-cli', 'GitHub Copilot login (Windows side)', win.resolve('.copilot/config.json')],
    ]);
    // windowsHome: null turns it off.
    const off = await scan({ env: { HOME: linux.path, CTD_WINDOWS_HOME: win.path }, windowsHome: null });
    expect(off.credentials.map((c) => c.label)).toEqual(['OpenAI API key']);
  });
});
