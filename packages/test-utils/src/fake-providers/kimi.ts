import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  modelList,
  startFakeProvider,
} from './provider.ts';

const kimiError = (message: string, type: string) => ({ error: { message, type } });

function usages(weeklyRemaining: number): unknown {
  return {
    user: { userId: 'test-user', membership: { level: 'LEVEL_INTERMEDIATE' } },
    usage: {
      limit: '100',
      used: String(100 - weeklyRemaining),
      remaining: String(weeklyRemaining),
      resetTime: '2026-09-10T00:00:00Z',
    },
    limits: [
      {
        window: { duration: 300, timeUnit: 'TIME_UNIT_MINUTE' },
        detail: { limit: '100', used: '5', remaining: '95', resetTime: '2026-09-06T15:00:00Z' },
      },
    ],
  };
}

/**
 * Fake Kimi Code API (`{baseUrl}` = `…/coding/v1`): `GET /coding/v1/models` and `GET
 * /coding/v1/usages` with Bearer. `no_access` is 402 (membership unavailable), `quota_exhausted`
 * is 403 "usage limit for this billing cycle". Extra behaviors: `agents_only` (403 "only available
 * for Coding Agents"), `usage_empty` (models fine, weekly quota at 0 in `/usages`).
 */
export function startFakeKimi(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'kimi',
      basePath: '/coding/v1',
      token: bearerToken,
      routes: {
        '/models': (b) => {
          switch (b) {
            case 'valid':
            case 'usage_empty':
              return json(200, modelList('kimi-for-coding'));
            case 'revoked':
            case 'expired':
              return json(
                401,
                kimiError(
                  'The API Key appears to be invalid or may have expired. Please verify your credentials and try again.',
                  'invalid_authentication_error',
                ),
              );
            case 'no_access':
              return json(
                402,
                kimiError('Your Kimi membership is unavailable. Please renew it.', 'membership_error'),
              );
            case 'quota_exhausted':
              return json(
                403,
                kimiError(
                  "You've reached the usage limit for this billing cycle. Please try again later.",
                  'access_terminated_error',
                ),
              );
            case 'agents_only':
              return json(
                403,
                kimiError(
                  'Kimi For Coding is currently only available for Coding Agents such as Kimi CLI, Claude Code, Roo Code, Kilo Code, etc.',
                  'access_terminated_error',
                ),
              );
            case 'rate_limited':
              return json(
                429,
                kimiError(
                  'The engine is currently overloaded, please try again later',
                  'engine_overloaded_error',
                ),
                {
                  'retry-after': '10',
                },
              );
            default:
              return undefined;
          }
        },
        '/usages': (b) => {
          if (b === 'valid') return json(200, usages(74));
          if (b === 'usage_empty') return json(200, usages(0));
          return undefined;
        },
      },
    },
    options,
  );
}
