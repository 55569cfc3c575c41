import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { codexCliAdapter } from './index.ts';

runAdapterContract({
  adapter: codexCliAdapter,
  fixtures: fixtures.codex,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
