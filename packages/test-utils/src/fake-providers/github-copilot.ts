import {
  bearerToken,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  startFakeProvider,
} from './provider.ts';

// What the Copilot CLI 1.0.102 reads from GET /copilot_internal/user (placeholders).
const copilotUser = {
  login: 'octocat',
  copilot_plan: 'individual',
  access_type_sku: 'free_limited_copilot',
  chat_enabled: true,
  quota_snapshots: {
    chat: { entitlement: 0, remaining: 0, unlimited: true, percent_remaining: 100 },
    premium_interactions: { entitlement: 300, remaining: 120, unlimited: false, percent_remaining: 40 },
  },
};

/**
 * Fake GitHub API for Copilot (`{baseUrl}` = the API origin): `GET /copilot_internal/user` with
 * Bearer. `revoked`/`expired` 401 "Bad credentials"; `no_access` 404 (a user without Copilot);
 * `rate_limited` 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`.
 */
export function startFakeGitHubCopilot(options?: FakeProviderOptions): Promise<FakeProvider> {
  return startFakeProvider(
    {
      name: 'github-copilot',
      basePath: '',
      token: bearerToken,
      routes: {
        '/copilot_internal/user': (b) => {
          switch (b) {
            case 'valid':
              return json(200, copilotUser);
            case 'revoked':
            case 'expired':
              return json(401, {
                message: 'Bad credentials',
                documentation_url: 'https://docs.github.com/rest',
                status: '401',
              });
            case 'no_access':
              return json(404, {
                message: 'Not Found',
                documentation_url: 'https://docs.github.com/rest',
                status: '404',
              });
            case 'rate_limited':
              return json(
                403,
                {
                  message: 'API rate limit exceeded',
                  documentation_url: 'https://docs.github.com/rest',
                  status: '403',
                },
                { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1788696060' },
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
