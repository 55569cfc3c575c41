import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceId } from '@ctd/core';
import { ALL_ADAPTERS, adapterById, createScanContext } from '@ctd/scanners';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialWatcher } from '../watch/watcher.ts';
import { canOpenBrowser, openInBrowser } from './browser.ts';
import { commandArgv, reloginMethods } from './plan.ts';
import { cleanLine, findLoginPage, type MethodProgress, startLoginCommand } from './run.ts';

let dir: string;
let bin: string;

/** A stand-in for a CLI's login command: prints a device page and code, then writes the store. */
async function fakeCli(name: string, body: string): Promise<void> {
  const file = join(bin, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctd-methods-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (home: string, extra: Record<string, string> = {}) => ({
  HOME: home,
  PATH: `${bin}:/usr/bin:/bin`,
  ...extra,
});

describe('the re-login methods of each CLI', () => {
  it('list the issue’s methods per CLI (and the right ones for the others)', () => {
    const of = (id: SourceId) => {
      const a = adapterById(id) as NonNullable<ReturnType<typeof adapterById>>;
      return reloginMethods(a, a.loginProvider ?? 'openai', 'oauth').map((m) => m.type);
    };
    expect(of('kimi-cli')).toEqual(expect.arrayContaining(['key-page', 'paste-key']));
    expect(of('codex-cli')).toEqual(
      expect.arrayContaining(['cli-login', 'key-page', 'paste-key', 'browser-login']),
    );
    expect(of('qwen-cli')).toEqual(expect.arrayContaining(['key-page']));
    expect(of('gemini-cli')).toEqual(expect.arrayContaining(['cli-login']));
    for (const a of ALL_ADAPTERS) {
      const types = reloginMethods(a, a.loginProvider ?? 'openai', 'oauth').map((m) => m.type);
      expect(types).not.toContain('oauth-refresh');
      // An API key is never renewed by a CLI login.
      expect(reloginMethods(a, a.loginProvider ?? 'openai', 'api_key').map((m) => m.type)).not.toContain(
        'cli-login',
      );
    }
  });

  it('commandArgv drops the note a person reads', () => {
    expect(commandArgv('example login --device-auth')).toEqual(['example', 'login', '--device-auth']);
    expect(commandArgv('example  (then choose a login in /auth)')).toEqual(['example']);
    expect(commandArgv('   ')).toBeNull();
  });

  it('findLoginPage reads the page and the device code, and cleanLine escapes the rest', () => {
    expect(
      findLoginPage('Open \u001b[1mhttps://auth.example.test/device\u001b[0m and enter ABCD-EFGH5'),
    ).toEqual({
      url: 'https://auth.example.test/device',
      code: 'ABCD-EFGH5',
    });
    expect(findLoginPage('Your code: WXYZ-1234')).toEqual({ code: 'WXYZ-1234' });
    const shown = cleanLine('\u001b[31mred\u001b[0m\u0007');
    expect(shown.startsWith('red')).toBe(true);
    expect([...shown].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f')).toBe(false);
  });

  // Every CLI with a login command: a fake command stands in for it, prints a device page and a
  // code, writes the store; the URL and code are relayed and the watcher sees the store change.
  const withLogin = ALL_ADAPTERS.filter((a) => a.login);
  for (const adapter of withLogin) {
    for (const which of ['browserCommand', 'command'] as const) {
      const command = adapter.login?.[which];
      if (!command) continue;
      it(`${adapter.id}: \`${command}\` runs, its page and code are relayed, the watcher sees the new login`, async () => {
        const home = await mkdtemp(join(dir, `home-${adapter.id}-`));
        const ctx = createScanContext({ env: { HOME: home } });
        const store = adapter.files(ctx).find((f) => f.holdsSecrets)?.path as string;
        const argv = commandArgv(command) as string[];
        await fakeCli(
          argv[0] as string,
          [
            'echo "Signing in with $*"',
            'echo "Open https://login.example.test/device?flow=1 in your browser"',
            'echo "and enter the code QWER-TY12"',
            'mkdir -p "$(dirname "$FAKE_STORE")"',
            'printf \'{"fake":"PLACEHOLDER_store"}\\n\' > "$FAKE_STORE.tmp" && mv "$FAKE_STORE.tmp" "$FAKE_STORE"',
            'echo "Logged in."',
          ].join('\n'),
        );
        let ready!: () => void;
        const started = new Promise<void>((r) => {
          ready = r;
        });
        const seen = new Promise<string[]>((resolve) => {
          const w = new CredentialWatcher({
            env: { HOME: home },
            sources: [adapter.id],
            debounceMs: 20,
            onChange: (change) => {
              // The store, or a directory on the way to it (created by the login).
              if (!change.paths.some((p) => p === store || store.startsWith(`${p}/`))) return;
              if (!change.paths.includes(store) && !existsSync(store)) return;
              void w.close();
              resolve([store]);
            },
          });
          void w.start().then(() => ready());
        });
        await started;
        const progress: MethodProgress[] = [];
        const run = startLoginCommand(argv, {
          env: env(home, { FAKE_STORE: store }),
          onProgress: (p) => progress.push(p),
          timeoutMs: 10_000,
        });
        expect(await run.url).toEqual({ url: 'https://login.example.test/device?flow=1', code: 'QWER-TY12' });
        expect(await run.done).toEqual({ status: 'done', exitCode: 0 });
        expect(await seen).toContain(store);
        expect(
          progress.filter((p) => p.type === 'output').map((p) => (p as { line: string }).line),
        ).toContain('Logged in.');
        expect(progress).toContainEqual({
          type: 'open-url',
          url: 'https://login.example.test/device?flow=1',
          code: 'QWER-TY12',
        });
      });
    }
  }
});

describe('startLoginCommand', () => {
  it('is cancellable, stops at its timeout, and says when the command is missing', async () => {
    await fakeCli('slow-login', 'echo "waiting for you"\nexec sleep 30');
    const controller = new AbortController();
    const lines: string[] = [];
    const run = startLoginCommand(['slow-login'], {
      env: env(dir),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.type === 'output') {
          lines.push(p.line);
          controller.abort();
        }
      },
    });
    expect(await run.done).toMatchObject({ status: 'cancelled' });
    expect(await run.url).toBeNull();
    expect(lines).toEqual(['waiting for you']);

    const timed = startLoginCommand(['slow-login'], { env: env(dir), timeoutMs: 300 });
    expect(await timed.done).toMatchObject({ status: 'timed-out' });

    const missing = startLoginCommand(['no-such-login-cli'], { env: env(dir) });
    expect(await missing.done).toMatchObject({
      status: 'failed',
      reason: '`no-such-login-cli` was not found on PATH',
    });
  });

  it('reports a failing login with its exit code', async () => {
    await fakeCli('bad-login', 'echo "denied" >&2\nexit 4');
    const run = startLoginCommand(['bad-login'], { env: env(dir) });
    expect(await run.done).toEqual({
      status: 'failed',
      exitCode: 4,
      reason: 'the login command exited with code 4',
    });
  });
});

describe('the browser', () => {
  it('opens only with a display, never in CI or over SSH', () => {
    expect(canOpenBrowser({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(canOpenBrowser({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(canOpenBrowser({}, 'linux')).toBe(false);
    expect(canOpenBrowser({ DISPLAY: ':0', SSH_CONNECTION: '1 2 3 4' }, 'linux')).toBe(false);
    expect(canOpenBrowser({ CI: 'true' }, 'darwin')).toBe(false);
    expect(canOpenBrowser({}, 'darwin')).toBe(true);
  });

  it('opens the page with the browser command named by BROWSER (a fake browser at the process boundary)', async () => {
    const out = join(dir, 'browser-opened.txt');
    await fakeCli('fake-browser', `printf '%s\\n' "$@" > "${out}"`);
    await openInBrowser('https://keys.example.test/api-keys', {
      env: { BROWSER: join(bin, 'fake-browser') },
    });
    const opened = await waitForFile(out);
    expect(opened.trim()).toBe('https://keys.example.test/api-keys');
    await expect(openInBrowser('file:///etc/passwd', { env: {} })).rejects.toThrow('only http(s)');
  });
});

async function waitForFile(path: string): Promise<string> {
  for (;;) {
    try {
      const text = await readFile(path, 'utf8');
      if (text.endsWith('\n')) return text;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
