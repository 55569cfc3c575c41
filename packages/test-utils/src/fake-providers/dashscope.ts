import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  modelList,
  type RouteHandler,
  startFakeProvider,
} from './provider.ts';

const compatError = (message: string, code: string, type = code) => ({
  error: { message, type, param: null, code },
  request_id: 'test-request-id',
});

const nativeError = (code: string, message: string) => ({ code, message, request_id: 'test-request-id' });

function models(codingPlan: boolean): RouteHandler {
  return (b) => {
    switch (b) {
      case 'valid':
        return json(200, modelList(codingPlan ? 'qwen3-coder-plus' : 'qwen-plus', 'qwen-test'));
      case 'revoked':
      case 'expired':
        return codingPlan
          ? json(
              401,
              compatError(
                'invalid access token or token expired',
                'invalid_api_key',
                'invalid_request_error',
              ),
            )
          : json(
              401,
              compatError('Incorrect API key provided. ', 'invalid_api_key', 'invalid_request_error'),
            );
      case 'rate_limited':
        return json(
          429,
          nativeError('Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.'),
          {
            'retry-after': '5',
          },
        );
      case 'quota_exhausted':
        return json(
          429,
          nativeError(
            'Throttling.AllocationQuota',
            'Allocated quota exceeded, please increase your quota limit.',
          ),
        );
      case 'arrearage':
        return json(
          400,
          compatError('Access denied, please make sure your account is in good standing.', 'Arrearage'),
        );
      case 'no_access':
        return json(403, nativeError('AccessDenied', 'Access denied.'));
      case 'server_error':
        return json(
          500,
          nativeError('InternalError', 'An internal error has occured, please try again later.'),
        );
      default:
        return undefined;
    }
  };
}

/**
 * Fake Alibaba Model Studio (DashScope) host. It serves the compatible mode at
 * `/compatible-mode/v1` (`{baseUrl}`) and the Coding Plan / Qwen portal shape at `/v1`
 * (`{codingUrl}`), both `GET …/models` with Bearer. Start one per region to test the fallback.
 * Extra behavior: `arrearage` (400 `Arrearage`). `rate_limited` is `Throttling.RateQuota`,
 * `quota_exhausted` is `Throttling.AllocationQuota`.
 */
export async function startFakeDashScope(
  options?: FakeProviderOptions,
): Promise<FakeProvider & { readonly codingUrl: string }> {
  const compat = models(false);
  const coding = models(true);
  const fake = await startFakeProvider(
    {
      name: 'dashscope',
      basePath: '',
      token: bearerToken,
      routes: { '/compatible-mode/v1/models': compat, '/v1/models': coding },
    },
    options,
  );
  return Object.assign(fake, {
    baseUrl: `${fake.origin}/compatible-mode/v1`,
    codingUrl: `${fake.origin}/v1`,
  });
}
