// The driver contract (testing/contract.ts) on the drivers that ship here; @ctd/history-redis runs
// the same suite on Redis.
import { createTempHome } from '@ctd/test-utils';
import { MemoryDriver } from './driver.ts';
import { FileDriver } from './file-driver.ts';
import { runHistoryDriverContract } from './testing/contract.ts';

runHistoryDriverContract('memory', () => {
  const shared = new MemoryDriver();
  return { connect: () => shared };
});

runHistoryDriverContract('file', async () => {
  const home = await createTempHome('ctd-history-contract-');
  const file = home.resolve('h.json');
  return { connect: () => new FileDriver(file), cleanup: () => home.cleanup() };
});
