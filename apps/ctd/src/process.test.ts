// `ctd` as a process, run from its sources (no build needed): how it ends when its output goes
// away, when the disk is full, on Ctrl-C, and with a broken HOME.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTempHome,
  type FakeProvider,
  fixtures,
  startFakeChatGpt,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const NODE_ARGS = ['--conditions=@ctd/source', '--no-warnings', CLI];
const STACK = /\n\s+at /;

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

function sh(script: string, env: Record<string, string>) {
  return spawnSync('sh', ['-c', script], { env: { ...env, PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
}

const ctd = `"${process.execPath}" ${NODE_ARGS.map((a) => `"${a}"`).join(' ')}`;

describe('ctd as a process', () => {
  it('ends quietly when the reader of its output goes away (EPIPE), with the command’s exit code', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    const rc = home.resolve('rc');
    const err = home.resolve('err');
    // `true` exits at once, so every write of ctd meets a closed pipe.
    const r = sh(`(${ctd} scan --offline --explain 2>"${err}"; echo $? >"${rc}") | true`, home.env);
    expect(r.status).toBe(0);
    expect(readFileSync(err, 'utf8')).toBe('');
    expect(readFileSync(rc, 'utf8').trim()).toBe('0');
    // The scan still did its work: the history was recorded.
    expect(existsSync(home.resolve('.openclaw/cli-token-history.json'))).toBe(true);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'says so on a full disk (ENOSPC) and exits 1, without a stack trace',
    () => {
      const r = sh(`${ctd} help scan >/dev/full`, home.env);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('ctd: could not write the output: no space left on the device [ENOSPC]');
      expect(r.stderr).not.toMatch(STACK);
    },
  );

  it('refuses an empty or relative HOME (exit 2): reads nothing from, and writes nothing to, the working directory', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ctd-cwd-'));
    try {
      // A Codex login in the working directory, where HOME='' would point every path.
      await mkdir(join(cwd, '.codex'));
      await writeFile(
        join(cwd, '.codex', 'auth.json'),
        '{"auth_mode":"apikey","OPENAI_API_KEY":"sk-test-PLACEHOLDER-cwd-0000000000"}',
      );
      for (const badHome of ['', 'relative/home']) {
        for (const args of [['scan', '--offline'], ['status'], ['history']]) {
          const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
            cwd,
            env: { HOME: badHome, PATH: process.env.PATH ?? '' },
            encoding: 'utf8',
          });
          expect(r.status).toBe(2);
          expect(r.stderr).toMatch(/HOME is (empty|a relative path)/);
          expect(r.stdout).not.toContain('sk-test');
        }
      }
      expect((await readdir(cwd)).sort()).toEqual(['.codex']);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('Ctrl-C', () => {
  let chatgpt: FakeProvider;
  const token = fixtures.codex.codexAccessToken(4_100_000_000);
  beforeEach(async () => {
    await fixtures.codex.writeCodexChatGpt(home, '.codex', token);
    chatgpt = await startFakeChatGpt({ keys: { [token]: 'valid' } });
  });
  afterEach(() => chatgpt.close());

  it('ends a scan waiting for a provider with exit code 130 and no stack trace', async () => {
    chatgpt.hold();
    const child = spawn(process.execPath, [...NODE_ARGS, 'scan'], {
      env: { ...home.env, CTD_CHATGPT_BASE_URL: chatgpt.baseUrl, PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await chatgpt.waitForInFlight(1);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
    chatgpt.release();
    expect(code).toBe(130);
    expect(stderr).not.toMatch(STACK);
  });
});
