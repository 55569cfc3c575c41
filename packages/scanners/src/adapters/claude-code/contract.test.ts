import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { claudeCodeAdapter } from './index.ts';

runAdapterContract({
  adapter: claudeCodeAdapter,
  fixtures: fixtures.claude,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: 'sk-ant-oat01-test-PLACEHOLDER-refreshed-access',
      refreshToken: 'sk-ant-ort01-test-PLACEHOLDER-refreshed-refresh',
      expiresAtMs: 1_800_000_000_000,
    },
  },
});
