import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { geminiCliAdapter } from './index.ts';

runAdapterContract({
  adapter: geminiCliAdapter,
  fixtures: fixtures.gemini,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
  writeBack: {
    tokens: { accessToken: 'ya29.test-PLACEHOLDER-gemini-refreshed-access', expiresAtMs: 1_800_000_000_000 },
    pick: (c) => c.kind === 'oauth' && c.origin.type === 'file' && c.origin.field === 'access_token',
  },
});
