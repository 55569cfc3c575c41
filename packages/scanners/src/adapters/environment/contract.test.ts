import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { environmentAdapter } from './index.ts';

runAdapterContract({
  adapter: environmentAdapter,
  fixtures: fixtures.environment,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
