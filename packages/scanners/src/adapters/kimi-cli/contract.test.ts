import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { kimiCliAdapter } from './index.ts';

runAdapterContract({
  adapter: kimiCliAdapter,
  fixtures: fixtures.kimiCli,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
