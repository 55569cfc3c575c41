// Test support (not exported): the demo CLI's token endpoint, on the shared fake OAuth server of
// @ctd/test-utils (single-use refresh tokens spent on arrival, scripted failures, holds, counts).
import { type FakeOAuthReply, type FakeOAuthServer, startFakeOAuthServer } from '@ctd/test-utils';

/** Options of {@link startDemoOAuth}. */
export interface DemoOAuthOptions {
  /** Refresh tokens live from the start. */
  readonly refreshTokens?: readonly string[];
  /** Each refresh returns a new refresh token and kills the old one. @default true */
  readonly rotating?: boolean;
}

/**
 * Starts the demo provider's token endpoint: `POST /oauth/token`, JSON body; a spent token gets
 * 400 `refresh_token_reused`, an unknown one 400 `invalid_grant`.
 *
 * @param options - live tokens, rotation
 */
export function startDemoOAuth(options: DemoOAuthOptions = {}): Promise<FakeOAuthServer> {
  const error = (code: string): FakeOAuthReply => ({
    status: 400,
    json: { error: code, error_description: 'the refresh token cannot be used' },
  });
  const rotating = options.rotating ?? true;
  return startFakeOAuthServer(
    {
      name: 'demo',
      path: '/oauth/token',
      bodyType: 'json',
      rotating,
      check: (req) =>
        req.bodyType === 'json' ? undefined : { status: 400, json: { error: 'invalid_request' } },
      reused: () => error('refresh_token_reused'),
      unknown: () => error('invalid_grant'),
      success: (grant) => ({
        status: 200,
        json: {
          access_token: grant.accessToken,
          ...(rotating ? { refresh_token: grant.refreshToken } : {}),
          expires_in: grant.expiresIn,
          token_type: 'Bearer',
        },
      }),
      accessToken: (n) => `test-PLACEHOLDER-demo-access-${n}`,
    },
    { refreshTokens: options.refreshTokens ?? [] },
  );
}
