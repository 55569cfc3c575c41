// No part of a secret leaves validation: provider text is redacted as it arrives, on the raw
// strings, for every secret of the batch, and only then normalised and clipped. Real loopback
// servers quote the keys they are sent; nothing is mocked.
import type { ValidationResult } from '@ctd/core';
import { type FakeServer, type LeakStyle, startFakeLeakyProvider, startFakeServer } from '@ctd/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCredentials } from './engine.ts';
import { testCredential } from './test-support.ts';

const open: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Every piece of `min` characters or more of the secret (whitespace ignored) found in the text. */
function leaks(text: string, secret: string, min = 8): string[] {
  const compactText = text.replace(/\s+/g, '');
  const compactSecret = secret.replace(/\s+/g, '');
  const found: string[] = [];
  for (let i = 0; i + min <= compactSecret.length; i++) {
    const piece = compactSecret.slice(i, i + min);
    if (text.includes(piece) || compactText.includes(piece)) found.push(piece);
  }
  return found;
}

/** Every string in a result, raw (as a terminal or a history file would get them). */
function strings(result: ValidationResult): string {
  return Object.values(result)
    .filter((v): v is string => typeof v === 'string')
    .join('\n');
}

function expectNoLeak(result: ValidationResult | undefined, secret: string): void {
  expect(result).toBeDefined();
  const r = result as ValidationResult;
  for (const text of [JSON.stringify(r), strings(r)]) expect(leaks(text, secret)).toEqual([]);
}

async function leakyCheck(style: LeakStyle, secret: string): Promise<ValidationResult | undefined> {
  const fake = await startFakeLeakyProvider({ [secret]: style });
  open.push(fake);
  const [result] = await validateCredentials([testCredential({ provider: 'openai', secret })], {
    env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
  });
  expect(fake.requests).toHaveLength(1);
  expect(result).toMatchObject({ status: 'invalid', httpStatus: 401 });
  return result;
}

describe('provider messages that quote the key', () => {
  const key = 'sk-test-leak-PLACEHOLDER-0123456789abcdefghij';

  it('redacts a key quoted near the end of a long message before the message is clipped', async () => {
    const result = await leakyCheck('near_end', key);
    expectNoLeak(result, key);
    // Not even a short start of it: the clip falls inside `[redacted]`, not inside the key.
    expect(leaks(strings(result as ValidationResult), key, 4)).toEqual([]);
    expect(result?.reason).toMatch(/\[redac/);
  });

  it('redacts a quoted prefix of the key', async () => {
    const result = await leakyCheck('prefix', key);
    expectNoLeak(result, key);
    expect(result?.reason).toContain('No key starting with [redacted] exists.');
  });

  it('redacts a key with whitespace inside, quoted as sent or with its whitespace collapsed', async () => {
    const spaced = 'sk-test-ws PLACEHOLDER\tkey 0123 4567 89ab';
    for (const style of ['raw', 'collapsed'] as const) {
      const result = await leakyCheck(style, spaced);
      expectNoLeak(result, spaced);
      expect(result?.reason).toContain('[redacted]');
      // The message is one line: the provider's newlines are gone, after the redaction.
      expect(result?.reason).not.toMatch(/[\n\r\t]/);
    }
  });

  it('cleans and clips the provider error code, and redacts a key inside it', async () => {
    const inCode = await leakyCheck('in_code', key);
    expectNoLeak(inCode, key);
    expect(inCode?.providerCode).toBe('bad_key [31m [redacted]');

    const long = await leakyCheck('long_code', key);
    expectNoLeak(long, key);
    expect(long?.providerCode?.length).toBeLessThanOrEqual(64);
    expect(long?.reason.length).toBeLessThan(1000);
  });

  it('redacts every secret of the batch, not only the one checked', async () => {
    const other = 'sk-test-other-PLACEHOLDER-ffffeeeeddddcccc';
    // A gateway that quotes a different key than the one it was sent (a shared error cache).
    const server = await startFakeServer(() => ({
      status: 401,
      json: { error: { message: `Key ${other} was revoked`, code: 'invalid_api_key' } },
    }));
    open.push(server);
    const results = await validateCredentials(
      [
        testCredential({ provider: 'openai', secret: key }),
        testCredential({ provider: 'anthropic', secret: other }),
      ],
      // The anthropic check goes to a closed port: only the openai check reaches the gateway.
      { env: { CTD_OPENAI_BASE_URL: `${server.origin}/v1`, CTD_ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' } },
    );
    expect(results[0]?.reason).toContain('Key [redacted] was revoked');
    for (const result of results) {
      expectNoLeak(result, key);
      expectNoLeak(result, other);
    }
  });

  it('redacts a refresh token quoted by the provider', async () => {
    const access = 'sk-ant-oat01-test-redact-PLACEHOLDER-0000';
    const refresh = 'sk-ant-ort01-test-redact-PLACEHOLDER-1111';
    const server = await startFakeServer(() => ({
      status: 401,
      json: {
        type: 'error',
        error: { type: 'authentication_error', message: `token ${refresh.slice(0, 20)}… is stale` },
      },
    }));
    open.push(server);
    const [result] = await validateCredentials(
      [
        testCredential({
          provider: 'anthropic',
          kind: 'oauth',
          secret: access,
          refreshToken: refresh,
          expiresAt: Date.now() + 3_600_000,
        }),
      ],
      { env: { CTD_ANTHROPIC_BASE_URL: server.origin } },
    );
    expect(result?.status).toBe('refreshable');
    expectNoLeak(result, refresh);
    expectNoLeak(result, access);
  });
});
