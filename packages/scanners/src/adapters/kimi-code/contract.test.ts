import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { kimiCodeAdapter } from './index.ts';

runAdapterContract({
  adapter: kimiCodeAdapter,
  fixtures: fixtures.kimiCode,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
