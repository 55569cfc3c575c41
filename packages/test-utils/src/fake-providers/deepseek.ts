import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  masked,
  modelList,
  startFakeProvider,
} from './provider.ts';

const deepseekError = (message: string, type: string) => ({
  error: { message, type, param: null, code: 'invalid_request_error' },
});

const balance = (available: boolean) => ({
  is_available: available,
  balance_infos: [
    {
      currency: 'CNY',
      total_balance: available ? '110.00' : '0.00',
      granted_balance: '0.00',
      topped_up_balance: available ? '110.00' : '0.00',
    },
  ],
});

/**
 * Fake DeepSeek (`{baseUrl}` = the origin): `GET /models` and `GET /user/balance` with Bearer.
 * `quota_exhausted` is 402 "Insufficient Balance"; extra `zero_balance` (models fine,
 * `is_available: false`).
 */
export function startFakeDeepSeek(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'deepseek',
      basePath: '',
      token: bearerToken,
      routes: {
        '/models': (b, req) => {
          switch (b) {
            case 'valid':
            case 'zero_balance':
              return json(200, modelList('deepseek-chat', 'deepseek-reasoner'));
            case 'revoked':
            case 'expired':
              return json(
                401,
                deepseekError(
                  `Authentication Fails, Your api key: ${masked(bearerToken(req))} is invalid`,
                  'authentication_error',
                ),
              );
            case 'quota_exhausted':
              return json(402, deepseekError('Insufficient Balance', 'unknown_error'));
            case 'no_access':
              return json(403, deepseekError('Permission denied', 'permission_error'));
            case 'rate_limited':
              return json(429, deepseekError('Rate Limit Reached', 'rate_limit_error'), {
                'retry-after': '3',
              });
            default:
              return undefined;
          }
        },
        '/user/balance': (b) => {
          if (b === 'valid') return json(200, balance(true));
          if (b === 'zero_balance') return json(200, balance(false));
          return undefined;
        },
      },
    },
    options,
  );
}
