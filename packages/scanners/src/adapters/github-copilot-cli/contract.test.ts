import { fixtures, runAdapterContract, writeFullHome } from '@ctd/test-utils';
import { ALL_ADAPTERS } from '../index.ts';
import { githubCopilotCliAdapter } from './index.ts';

runAdapterContract({
  adapter: githubCopilotCliAdapter,
  fixtures: fixtures.copilot,
  neighbours: { adapters: ALL_ADAPTERS, writeHome: writeFullHome },
});
