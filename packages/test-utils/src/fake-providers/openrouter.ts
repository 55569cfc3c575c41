import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  startFakeProvider,
} from './provider.ts';

const keyInfo = (limit: number | null, remaining: number | null) => ({
  data: {
    label: 'sk-or-v1-tes...test',
    usage: 1.5,
    limit,
    limit_remaining: remaining,
    is_free_tier: false,
    rate_limit: { requests: 10, interval: '10s' },
  },
});

/**
 * Fake OpenRouter (`{baseUrl}` = `…/api/v1`): `GET /api/v1/key` with Bearer. `quota_exhausted`
 * is a 200 whose limit has nothing left; extra `negative_balance` (402).
 */
export function startFakeOpenRouter(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'openrouter',
      basePath: '/api/v1',
      token: bearerToken,
      routes: {
        '/key': (b) => {
          switch (b) {
            case 'valid':
              return json(200, keyInfo(10, 8.5));
            case 'quota_exhausted':
              return json(200, keyInfo(10, 0));
            case 'negative_balance':
              return json(402, {
                error: {
                  message: 'Insufficient credits. Add more using https://openrouter.ai/credits',
                  code: 402,
                },
              });
            case 'revoked':
            case 'expired':
              return json(401, { error: { message: 'User not found.', code: 401 } });
            case 'no_access':
              return json(403, { error: { message: 'Key disabled', code: 403 } });
            case 'rate_limited':
              return json(
                429,
                { error: { message: 'Rate limit exceeded', code: 429 } },
                { 'retry-after': '10' },
              );
            default:
              return undefined;
          }
        },
      },
    },
    options,
  );
}
