import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { geminiCliAdapter } from './index.ts';

runAdapterContract({
  adapter: geminiCliAdapter,
  fixtures: fixtures.gemini,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
