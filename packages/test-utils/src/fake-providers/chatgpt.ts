import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  startFakeProvider,
} from './provider.ts';

const RESET_5H = 1790003600;
const RESET_WEEK = 1790300000;

function usage(primaryUsed: number, secondaryUsed: number, limitReached = false): unknown {
  return {
    plan_type: 'plus',
    rate_limit: {
      allowed: !limitReached,
      limit_reached: limitReached,
      primary_window: {
        used_percent: primaryUsed,
        limit_window_seconds: 18000,
        reset_after_seconds: 3600,
        reset_at: RESET_5H,
      },
      secondary_window: {
        used_percent: secondaryUsed,
        limit_window_seconds: 604800,
        reset_after_seconds: 300000,
        reset_at: RESET_WEEK,
      },
    },
    credits: { has_credits: false, unlimited: false, balance: '0' },
  };
}

/**
 * Fake ChatGPT backend (`{baseUrl}` = `…/backend-api`): `GET /backend-api/wham/usage` with
 * `Authorization: Bearer` and `ChatGPT-Account-Id`. Extra behaviors: `weekly_only` (one weekly
 * window, in the primary slot), `usage_limit_reached` and `usage_not_included` (429 with those
 * error types), `cloudflare` (a 403 HTML challenge). `quota_exhausted` is a 200 whose 5-hour
 * window is full.
 */
export function startFakeChatGpt(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'chatgpt',
      basePath: '/backend-api',
      token: bearerToken,
      routes: {
        '/wham/usage': (b) => {
          switch (b) {
            case 'valid':
              return json(200, usage(12, 30));
            case 'weekly_only':
              return json(200, {
                plan_type: 'free',
                rate_limit: {
                  allowed: true,
                  limit_reached: false,
                  primary_window: { used_percent: 40, limit_window_seconds: 604800, reset_at: RESET_WEEK },
                  secondary_window: null,
                },
              });
            case 'quota_exhausted':
              return json(200, usage(100, 64, true));
            case 'revoked':
              return json(401, { detail: 'Could not validate your credentials' });
            case 'expired':
              return json(401, {
                error: {
                  message: 'Provided authentication token is expired. Please try signing in again.',
                  type: 'invalid_request_error',
                  code: 'token_expired',
                },
              });
            case 'rate_limited':
              return json(
                429,
                { error: { type: 'rate_limit_exceeded', message: 'Too many requests' } },
                { 'retry-after': '30' },
              );
            case 'usage_limit_reached':
              return json(429, {
                error: {
                  type: 'usage_limit_reached',
                  message: 'The usage limit has been reached',
                  plan_type: 'plus',
                  resets_in_seconds: 3600,
                },
              });
            case 'usage_not_included':
              return json(429, {
                error: {
                  type: 'usage_not_included',
                  message: 'Codex is not included in your plan',
                  plan_type: 'free',
                },
              });
            case 'no_access':
              return json(403, { detail: 'This workspace has been deactivated.' });
            case 'cloudflare':
              return {
                status: 403,
                headers: { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge' },
                body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>',
              };
            default:
              return undefined;
          }
        },
      },
    },
    options,
  );
}
