import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { claudeCodeAdapter } from './index.ts';

runAdapterContract({
  adapter: claudeCodeAdapter,
  fixtures: fixtures.claude,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
