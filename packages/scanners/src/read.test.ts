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
