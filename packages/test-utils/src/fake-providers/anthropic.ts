import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  startFakeProvider,
} from './provider.ts';

const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

const window = (utilization: number, resetsAt: string) => ({ utilization, resets_at: resetsAt });

/**
 * Fake Anthropic API (`{baseUrl}` = the origin): `GET /v1/models` with `x-api-key` (API keys) and
 * `GET /api/oauth/usage` with Bearer and `anthropic-beta: oauth-2025-04-20` (Claude logins).
 * On /v1/models, `quota_exhausted` is 400 "credit balance is too low"; extra `overloaded` (529).
 * On /api/oauth/usage, `quota_exhausted` is a 200 with the 5-hour window at 100%; extra
 * `scope_missing` (403 for a token without `user:profile`).
 */
export function startFakeAnthropic(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'anthropic',
      basePath: '',
      token: (req) => req.headers['x-api-key'] ?? bearerToken(req),
      routes: {
        '/v1/models': (b) => {
          switch (b) {
            case 'valid':
              return json(200, {
                data: [
                  {
                    type: 'model',
                    id: 'claude-test-1',
                    display_name: 'Claude Test',
                    created_at: '2026-01-01T00:00:00Z',
                  },
                ],
                has_more: false,
                first_id: 'claude-test-1',
                last_id: 'claude-test-1',
              });
            case 'revoked':
            case 'expired':
              return json(401, anthropicError('authentication_error', 'invalid x-api-key'));
            case 'no_access':
              return json(
                403,
                anthropicError(
                  'permission_error',
                  'Your API key does not have permission to use the specified resource.',
                ),
              );
            case 'rate_limited':
              return json(
                429,
                anthropicError('rate_limit_error', 'Number of requests has exceeded your rate limit.'),
                {
                  'retry-after': '15',
                },
              );
            case 'quota_exhausted':
              return json(
                400,
                anthropicError(
                  'invalid_request_error',
                  'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
                ),
              );
            case 'overloaded':
              return json(529, anthropicError('overloaded_error', 'Overloaded'));
            default:
              return undefined;
          }
        },
        '/api/oauth/usage': (b, req) => {
          if (req.headers['anthropic-beta'] !== 'oauth-2025-04-20') {
            return json(
              401,
              anthropicError('authentication_error', 'OAuth authentication is currently not supported.'),
            );
          }
          switch (b) {
            case 'valid':
              return json(200, {
                five_hour: window(12, '2026-09-06T15:00:00Z'),
                seven_day: window(40, '2026-09-10T00:00:00Z'),
                seven_day_opus: null,
                seven_day_sonnet: window(3, '2026-09-10T00:00:00Z'),
                extra_usage: {
                  is_enabled: false,
                  monthly_limit: null,
                  used_credits: null,
                  utilization: null,
                },
              });
            case 'quota_exhausted':
              return json(200, {
                five_hour: window(100, '2026-09-06T15:00:00Z'),
                seven_day: window(71, '2026-09-10T00:00:00Z'),
              });
            case 'expired':
              return json(
                401,
                anthropicError(
                  'authentication_error',
                  'OAuth token has expired. Please obtain a new token or refresh your existing token.',
                ),
              );
            case 'revoked':
              return json(401, anthropicError('authentication_error', 'Invalid bearer token'));
            case 'scope_missing':
              return json(
                403,
                anthropicError(
                  'permission_error',
                  'OAuth token does not meet scope requirement user:profile',
                ),
              );
            case 'no_access':
              return json(403, anthropicError('permission_error', 'This organization has been disabled.'));
            case 'rate_limited':
              return json(429, anthropicError('rate_limit_error', 'Rate limited. Please try again later.'), {
                'retry-after': '120',
              });
            default:
              return undefined;
          }
        },
      },
    },
    options,
  );
}
