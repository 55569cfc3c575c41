export {
  FAKE_OAUTH_CLIENT_IDS,
  FAKE_OPENAI_ACCOUNT_ID,
  type FakeGoogleTokenOptions,
  startFakeClaudeOAuth,
  startFakeGoogleTokenOAuth,
  startFakeKimiOAuth,
  startFakeOpenAIOAuth,
  startFakeQwenPortalOAuth,
} from './providers.ts';
export {
  type FakeOAuthFailure,
  type FakeOAuthFamily,
  type FakeOAuthGrant,
  type FakeOAuthOptions,
  type FakeOAuthReply,
  type FakeOAuthRequest,
  type FakeOAuthServer,
  startFakeOAuthServer,
} from './server.ts';
