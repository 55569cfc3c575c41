import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { kimiCliAdapter } from './index.ts';

runAdapterContract({
  adapter: kimiCliAdapter,
  fixtures: fixtures.kimiCli,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: 'test-PLACEHOLDER-kimi-cli-refreshed-access',
      refreshToken: 'test-PLACEHOLDER-kimi-cli-refreshed-refresh',
      expiresAtMs: 1_800_000_000_250,
      expiresInSeconds: 3600,
    },
  },
});
