import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { kimiCodeAdapter } from './index.ts';

runAdapterContract({
  adapter: kimiCodeAdapter,
  fixtures: fixtures.kimiCode,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: 'test-PLACEHOLDER-kimi-code-refreshed-access',
      refreshToken: 'test-PLACEHOLDER-kimi-code-refreshed-refresh',
      expiresAtMs: 1_800_000_000_250,
      expiresInSeconds: 3600,
    },
  },
});
