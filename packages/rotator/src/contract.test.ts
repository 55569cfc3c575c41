// The shared-rotation contract (testing/contract.ts) on the memory and file drivers;
// @ctd/history-redis runs the same suite on Redis.
import { FileDriver, MemoryDriver } from '@ctd/history';
import { createTempHome } from '@ctd/test-utils';
import { runRotatorContract } from './testing/contract.ts';

runRotatorContract('memory', () => {
  const shared = new MemoryDriver();
  return { connect: () => shared };
});

runRotatorContract('file', async () => {
  const home = await createTempHome('ctd-rotator-contract-');
  const file = home.resolve('h.json');
  return { connect: () => new FileDriver(file), cleanup: () => home.cleanup() };
});
