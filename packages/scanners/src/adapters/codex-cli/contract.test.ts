import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { codexCliAdapter } from './index.ts';

runAdapterContract({
  adapter: codexCliAdapter,
  fixtures: fixtures.codex,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: fixtures.codex.codexAccessToken(1_800_000_000),
      refreshToken: 'rt_test_PLACEHOLDER_codex_refreshed_refresh_token',
      idToken: fixtures.codex.codexIdToken({ exp: 1_800_000_000 }),
      expiresAtMs: 1_800_000_000_000,
    },
  },
});
