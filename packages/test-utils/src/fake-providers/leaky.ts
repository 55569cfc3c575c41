import { bearerToken, json } from './provider.ts';
import { type FakeServer, startFakeServer } from './server.ts';

/**
 * How a leaky provider quotes the key it was sent in its error (all answers are OpenAI-shaped
 * 401s, the way a real provider, a gateway or a proxy in front of one might echo a key):
 * - `near_end`: the whole key at about character 190 of a 300-character message, so that a
 *   200-character cut would keep the start of it;
 * - `prefix`: the first 12 characters, as a "key starting with …" hint;
 * - `raw`: the key exactly as sent (a key with whitespace inside keeps it);
 * - `collapsed`: the key with its whitespace runs turned into single spaces;
 * - `in_code`: the key inside the error `code`, with control characters around it;
 * - `long_code`: a 5000-character error `code` that ends with the key.
 */
export type LeakStyle = 'near_end' | 'prefix' | 'raw' | 'collapsed' | 'in_code' | 'long_code';

/** A fake OpenAI-compatible provider that quotes keys in its errors. */
export interface FakeLeakyProvider extends FakeServer {
  /** `…/v1`, for `CTD_OPENAI_BASE_URL`. */
  readonly baseUrl: string;
}

function quote(style: LeakStyle, key: string): { message: string; code: string } {
  switch (style) {
    case 'near_end': {
      const head = 'Incorrect API key provided. The key you sent was not recognised by this gateway: ';
      const message = `${head}${'.'.repeat(190 - head.length)}${key} ${'-'.repeat(Math.max(0, 300 - 190 - key.length - 1))}`;
      return { message, code: 'invalid_api_key' };
    }
    case 'prefix':
      return { message: `No key starting with ${key.slice(0, 12)} exists.`, code: 'invalid_api_key' };
    case 'raw':
      return {
        message: `Incorrect API key provided:\n${key}\nCheck it and try again.`,
        code: 'invalid_api_key',
      };
    case 'collapsed':
      return { message: `Incorrect API key provided: ${key.replace(/\s+/g, ' ')}`, code: 'invalid_api_key' };
    case 'in_code':
      return { message: 'Incorrect API key provided.', code: `bad_key\u001b[31m ${key}\u0007\r\n` };
    case 'long_code':
      return { message: 'Incorrect API key provided.', code: `${'x'.repeat(5000)}${key}` };
  }
}

/**
 * Starts a fake provider whose `GET /v1/models` rejects every key with a 401 that quotes it the
 * way `styles` says (by token; a token not listed is quoted `near_end`).
 *
 * @param styles - token → how its error quotes it
 */
export async function startFakeLeakyProvider(
  styles: Record<string, LeakStyle> = {},
): Promise<FakeLeakyProvider> {
  const server = await startFakeServer((req) => {
    const key = bearerToken(req) ?? '';
    const { message, code } = quote(styles[key] ?? 'near_end', key);
    return json(401, { error: { message, type: 'invalid_request_error', param: null, code } });
  });
  return Object.assign(server, { baseUrl: `${server.origin}/v1` });
}
