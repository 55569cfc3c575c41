import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  modelList,
  startFakeProvider,
} from './provider.ts';

const moonshotError = (message: string, type: string) => ({ error: { message, type } });

const balance = (available: number) => ({
  code: 0,
  data: {
    available_balance: available,
    voucher_balance: Math.max(0, available - 3),
    cash_balance: Math.min(3, available),
  },
  scode: '0x0',
  status: true,
});

/**
 * Fake Moonshot open platform (`{baseUrl}` = `…/v1`): `GET /v1/models` and `GET
 * /v1/users/me/balance` with Bearer. Start one per platform (.ai, .cn) to test the fallback.
 * `quota_exhausted` is 429 `exceeded_current_quota_error`. Extra behaviors: `balance_403` (403
 * insufficient balance), `zero_balance` (models fine, balance 0).
 */
export function startFakeMoonshot(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'moonshot',
      basePath: '/v1',
      token: bearerToken,
      routes: {
        '/models': (b) => {
          switch (b) {
            case 'valid':
            case 'zero_balance':
              return json(200, modelList('moonshot-v1-8k', 'kimi-k2-test'));
            case 'revoked':
            case 'expired':
              return json(401, moonshotError('Invalid Authentication', 'invalid_authentication_error'));
            case 'quota_exhausted':
              return json(
                429,
                moonshotError(
                  'Your account org-test is suspended, please check your plan and billing details',
                  'exceeded_current_quota_error',
                ),
              );
            case 'balance_403':
              return json(
                403,
                moonshotError('Your account balance is insufficient', 'permission_denied_error'),
              );
            case 'no_access':
              return json(
                403,
                moonshotError('The API you are accessing is not open', 'permission_denied_error'),
              );
            case 'rate_limited':
              return json(
                429,
                moonshotError(
                  'Your account org-test request reached max RPM: 3, please try again after 1 seconds',
                  'rate_limit_reached_error',
                ),
                { 'retry-after': '1' },
              );
            case 'server_error':
              return json(500, moonshotError('Internal server error', 'server_error'));
            default:
              return undefined;
          }
        },
        '/users/me/balance': (b) => {
          if (b === 'valid') return json(200, balance(49.5));
          if (b === 'zero_balance') return json(200, balance(0));
          return undefined;
        },
      },
    },
    options,
  );
}
