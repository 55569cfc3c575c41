import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { qwenCliAdapter } from './index.ts';

runAdapterContract({
  adapter: qwenCliAdapter,
  fixtures: fixtures.qwen,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: 'test-PLACEHOLDER-qwen-refreshed-access-token',
      refreshToken: 'test-PLACEHOLDER-qwen-refreshed-refresh-token',
      expiresAtMs: 1_800_000_000_000,
    },
  },
});
