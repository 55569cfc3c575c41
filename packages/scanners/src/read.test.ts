import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkShape, errnoResult, parseDotEnv, parseJsonText, parseTomlText, readTextFile } from './read.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

describe('reading store files', () => {
  it('drops a UTF-8 byte-order mark, so a BOM-prefixed JSON file parses', async () => {
    const path = await home.write(
      'a.json',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"k":"v"}\r\n')]),
    );
    const text = await readTextFile(path, 1024);
    expect(text.status === 'ok' && parseJsonText(text.value)).toEqual({ status: 'ok', value: { k: 'v' } });
  });

  it('reads CRLF .env and TOML files like LF ones', () => {
    expect([...parseDotEnv('A=1\r\nexport B="two"\r\n# c\r\nC=3 # note\r\n')]).toEqual([
      ['A', '1'],
      ['B', 'two'],
      ['C', '3'],
    ]);
    expect(parseTomlText('[providers.x]\r\napi_key = "k"\r\n')).toEqual({
      status: 'ok',
      value: { providers: { x: { api_key: 'k' } } },
    });
  });

  it('maps file-system errors to stable codes, including the ones root never sees', () => {
    expect(errnoResult({ code: 'ENOENT' })).toEqual({ status: 'missing' });
    expect(errnoResult({ code: 'EACCES' })).toMatchObject({
      status: 'error',
      code: 'FILE_UNREADABLE',
      reason: 'permission denied',
    });
    expect(errnoResult({ code: 'EPERM' })).toMatchObject({ code: 'FILE_UNREADABLE' });
    expect(errnoResult({ code: 'ELOOP' })).toMatchObject({ code: 'SYMLINK_LOOP' });
    expect(errnoResult({ code: 'EISDIR' })).toMatchObject({ code: 'NOT_A_FILE' });
    expect(errnoResult({ code: 'ENOTDIR' })).toMatchObject({ code: 'NOT_A_FILE' });
    expect(errnoResult({ code: 'EIO' })).toMatchObject({
      code: 'FILE_UNREADABLE',
      reason: 'could not be read (EIO)',
    });
  });

  it('never quotes file content in a parse or shape error', () => {
    const secret = 'sk-test-PLACEHOLDER-quoted-0000';
    for (const bad of [`{"a": "${secret}"`, `${secret}`, `{"a": ${secret}}`]) {
      const r = parseJsonText(bad);
      expect(r.status).toBe('error');
      expect(JSON.stringify(r)).not.toContain(secret);
    }
    const toml = parseTomlText(`key = ${secret}\n`);
    expect(toml.status === 'error' && toml.reason).toMatch(/^is not valid TOML \(line 1/);
    expect(JSON.stringify(toml)).not.toContain(secret);
    const shape = checkShape(z.object({ key: z.number() }), { key: secret });
    expect(shape).toMatchObject({ status: 'error', code: 'INVALID_SHAPE' });
    expect(JSON.stringify(shape)).toContain('`key`');
    expect(JSON.stringify(shape)).not.toContain(secret);
  });

  it('says a truncated JSON file ends early', () => {
    expect(parseJsonText('{"tokens": {')).toMatchObject({
      reason: 'is not valid JSON (it ends early: truncated?)',
    });
    expect(parseJsonText('   ')).toMatchObject({ code: 'INVALID_JSON', reason: 'is empty, expected JSON' });
  });
});

// Every read is bounded by the bytes read, never by what stat says, and nothing blocks.
describe('reading files that are not what they claim', () => {
  const CAP = 64 * 1024;
  const onLinux = process.platform === 'linux';

  it.runIf(onLinux && existsSync('/proc/self/pagemap'))(
    'stops at the cap on a /proc file that says it is empty and never ends',
    async () => {
      // /proc/self/pagemap: stat size 0, gigabytes when read to the end.
      const path = await home.symlink('.codex/auth.json', '/proc/self/pagemap');
      const r = await readTextFile(path, CAP);
      expect(r).toMatchObject({
        status: 'error',
        code: 'FILE_TOO_LARGE',
        reason: `is larger than the ${CAP}-byte cap for credential files`,
      });
      // The default cap (1 MiB) is just as bounded.
      expect(await readTextFile(path, 1024 * 1024)).toMatchObject({ code: 'FILE_TOO_LARGE' });
    },
  );

  it.runIf(onLinux && existsSync('/proc/self/status'))(
    'reads a small /proc file (size 0 in stat) to its real end',
    async () => {
      const path = await home.symlink('status.txt', '/proc/self/status');
      const r = await readTextFile(path, CAP);
      expect(r.status === 'ok' && r.value).toMatch(/^Name:/);
    },
  );

  it.runIf(existsSync('/dev/zero'))('refuses a device linked as a credential file', async () => {
    const path = await home.symlink('.gemini/oauth_creds.json', '/dev/zero');
    expect(await readTextFile(path, CAP)).toMatchObject({
      status: 'error',
      code: 'NOT_A_FILE',
      reason: 'is a character device, not a regular file',
    });
  });

  it.runIf(process.platform !== 'win32')('refuses a FIFO without waiting for a writer', async () => {
    const path = home.resolve('auth.json');
    execFileSync('mkfifo', [path]);
    // Before the fix, opening it blocked until someone wrote: this test would time out.
    expect(await readTextFile(path, CAP)).toMatchObject({
      status: 'error',
      code: 'NOT_A_FILE',
      reason: 'is a FIFO (named pipe), not a regular file',
    });
    // Linked under a credential name, it is the same.
    const link = await home.symlink('.kimi/credentials/kimi-code.json', path);
    expect(await readTextFile(link, CAP)).toMatchObject({ code: 'NOT_A_FILE' });
  });

  it.runIf(process.platform !== 'win32')('refuses a Unix socket', async () => {
    const path = home.resolve('sock.json');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(await readTextFile(path, CAP)).toMatchObject({ status: 'error', code: 'NOT_A_FILE' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a directory', async () => {
    const dir = await home.mkdir('.codex/auth.json');
    expect(await readTextFile(dir, CAP)).toMatchObject({ status: 'error', code: 'NOT_A_FILE' });
  });

  it('reads a file of exactly the cap, and refuses one byte more', async () => {
    const exact = await home.write('exact.json', 'a'.repeat(CAP));
    expect(await readTextFile(exact, CAP)).toMatchObject({ status: 'ok' });
    const over = await home.write('over.json', 'a'.repeat(CAP + 1));
    expect(await readTextFile(over, CAP)).toMatchObject({
      status: 'error',
      code: 'FILE_TOO_LARGE',
      reason: `is ${CAP + 1} bytes, over the ${CAP}-byte cap for credential files`,
    });
  });
});
