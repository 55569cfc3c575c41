import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  type RouteHandler,
  startFakeProvider,
} from './provider.ts';

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

function googleError(code: number, status: string, message: string, details: unknown[] = []): unknown {
  return { error: { code, message, status, details } };
}

function keyInvalid(message: string): unknown {
  return googleError(400, 'INVALID_ARGUMENT', message, [
    {
      '@type': ERROR_INFO,
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
  ]);
}

function exhausted(quotaId: string, retryDelay: string): unknown {
  return googleError(
    429,
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details.',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId,
            quotaDimensions: { location: 'global', model: 'gemini-test' },
            quotaValue: '50',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
    ],
  );
}

const models: RouteHandler = (b) => {
  switch (b) {
    case 'valid':
      return json(200, {
        models: [
          {
            name: 'models/gemini-test',
            displayName: 'Gemini Test',
            supportedGenerationMethods: ['generateContent'],
          },
        ],
        nextPageToken: 'test-page-token',
      });
    case 'revoked':
      return json(400, keyInvalid('API key not valid. Please pass a valid API key.'));
    case 'expired':
      return json(400, keyInvalid('API key expired. Please renew the API key.'));
    case 'unauthenticated':
      return json(
        401,
        googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      );
    case 'region_unavailable':
      return json(
        400,
        googleError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'),
      );
    case 'no_access':
      return json(
        403,
        googleError(
          403,
          'PERMISSION_DENIED',
          'Generative Language API has not been used in project test before or it is disabled.',
          [{ '@type': ERROR_INFO, reason: 'SERVICE_DISABLED', domain: 'googleapis.com', metadata: {} }],
        ),
      );
    case 'rate_limited':
      return json(429, exhausted('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '17s'));
    case 'quota_exhausted':
      return json(429, exhausted('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '3600s'));
    case 'server_error':
      return json(500, googleError(500, 'INTERNAL', 'An internal error has occurred.'));
    default:
      return undefined;
  }
};

/**
 * Fake Gemini API (`{baseUrl}` = `…/v1beta`): `GET /v1beta/models` with `x-goog-api-key` (or
 * `?key=`). An invalid key is 400 `API_KEY_INVALID`, like the real one. Extra behaviors:
 * `unauthenticated` (401), `region_unavailable` (400 `FAILED_PRECONDITION`). `rate_limited` is a
 * per-minute quota, `quota_exhausted` a per-day one.
 */
export function startFakeGemini(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'gemini',
      basePath: '/v1beta',
      token: (req) => req.headers['x-goog-api-key'] ?? req.query.get('key') ?? undefined,
      routes: { '/models': models },
    },
    options,
  );
}

/**
 * Fake Google OAuth tokeninfo (`{baseUrl}` = the origin): `GET /tokeninfo?access_token=…` (or a
 * Bearer header). `valid` answers the token's scopes and lifetime; `revoked` and `expired` answer
 * 400 `invalid_token`.
 */
export function startFakeGoogleOAuth(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'google-oauth',
      basePath: '',
      token: (req) => req.query.get('access_token') ?? bearerToken(req),
      routes: {
        '/tokeninfo': (b) => {
          switch (b) {
            case 'valid':
              return json(200, {
                azp: '681255809395-test.apps.googleusercontent.com',
                aud: '681255809395-test.apps.googleusercontent.com',
                sub: '100000000000000000000',
                scope:
                  'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email openid',
                exp: '1790000000',
                expires_in: '3599',
                email: 'gemini-user@example.com',
                email_verified: 'true',
                access_type: 'offline',
              });
            case 'revoked':
            case 'expired':
              return json(400, { error: 'invalid_token', error_description: 'Invalid Value' });
            default:
              return undefined;
          }
        },
      },
    },
    options,
  );
}
