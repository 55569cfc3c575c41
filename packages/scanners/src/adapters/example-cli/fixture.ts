// The example CLI's store fixture, in the shape of the `fixtures` modules of @ctd/test-utils.
import type { TempHome } from '@ctd/test-utils';

/** Placeholder secrets of the example CLI (never real). */
export const EXAMPLE = {
  apiKey: 'ex-test-PLACEHOLDER-example-api-key-0000',
  accessToken: 'ex-test-PLACEHOLDER-example-access-token-1111',
  refreshToken: 'ex-test-PLACEHOLDER-example-refresh-token-2222',
  expiresAtMs: 1_790_000_000_000,
};

/**
 * Writes `~/.example-cli/auth.json` with a key and a login.
 *
 * @param home - a temp home
 */
export async function populate(home: TempHome) {
  await home.writeJson('.example-cli/auth.json', {
    version: 3,
    api_key: EXAMPLE.apiKey,
    oauth: {
      token_type: 'Bearer',
      access_token: EXAMPLE.accessToken,
      refresh_token: EXAMPLE.refreshToken,
      expires_at: EXAMPLE.expiresAtMs,
      scope: 'all',
    },
    telemetry: { enabled: false },
  });
  return [
    { source: 'example-cli', provider: 'example-ai', kind: 'api_key' as const, secret: EXAMPLE.apiKey },
    { source: 'example-cli', provider: 'example-ai', kind: 'oauth' as const, secret: EXAMPLE.accessToken },
  ];
}
