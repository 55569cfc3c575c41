import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  masked,
  modelList,
  startFakeProvider,
} from './provider.ts';

const openaiError = (message: string, type: string, code: string | null) => ({
  error: { message, type, param: null, code },
});

/**
 * Fake OpenAI API (`{baseUrl}` = `…/v1`): `GET /v1/models` with `Authorization: Bearer`. Knows
 * the common behaviors; `revoked` and `expired` both answer 401 `invalid_api_key`.
 */
export function startFakeOpenAI(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'openai',
      basePath: '/v1',
      token: bearerToken,
      routes: {
        '/models': (b, req) => {
          switch (b) {
            case 'valid':
              return json(200, modelList('gpt-test-1', 'gpt-test-2'));
            case 'revoked':
            case 'expired':
              return json(
                401,
                openaiError(
                  `Incorrect API key provided: ${masked(bearerToken(req))}. You can find your API key at https://platform.openai.com/account/api-keys.`,
                  'invalid_request_error',
                  'invalid_api_key',
                ),
              );
            case 'rate_limited':
              return json(
                429,
                openaiError('Rate limit reached for requests per min.', 'requests', 'rate_limit_exceeded'),
                {
                  'retry-after': '20',
                },
              );
            case 'quota_exhausted':
              return json(
                429,
                openaiError(
                  'You exceeded your current quota, please check your plan and billing details.',
                  'insufficient_quota',
                  'insufficient_quota',
                ),
              );
            case 'no_access':
              return json(
                403,
                openaiError(
                  'Country, region, or territory not supported',
                  'request_forbidden',
                  'unsupported_country_region_territory',
                ),
              );
            case 'server_error':
              return json(
                500,
                openaiError('The server had an error while processing your request.', 'server_error', null),
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
