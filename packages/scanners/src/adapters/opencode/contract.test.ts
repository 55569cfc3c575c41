import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { opencodeAdapter } from './index.ts';

runAdapterContract({
  adapter: opencodeAdapter,
  fixtures: fixtures.opencode,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: 'test-PLACEHOLDER-opencode-refreshed-access',
      refreshToken: 'test-PLACEHOLDER-opencode-refreshed-refresh',
      expiresAtMs: 1_800_000_000_000,
    },
  },
});
