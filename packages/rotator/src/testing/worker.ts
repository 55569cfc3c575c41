// A gateway process for the shared-rotation test and the benchmark. Run it with
// `node --conditions=@ctd/source worker.ts '<json args>'`: it opens the history file, rotates
// `requests` times over `credentials` with the given strategy (through store transactions when
// `shared`), reports success for each, and prints a JSON line with the ids it picked.
import { openHistoryStore } from '@ctd/history';
import { createRotator, type Strategy } from '../rotator.ts';
import { credentials } from './sim.ts';

interface Args {
  file: string;
  credentials: number;
  requests: number;
  strategy: Strategy;
  shared: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const store = await openHistoryStore({ file: args.file, flushIntervalMs: 0 });
const rotator = createRotator({ store, strategy: args.strategy });
rotator.setCredentials(credentials(args.credentials));
const picked: string[] = [];
for (let i = 0; i < args.requests; i++) {
  const lease = args.shared
    ? await rotator.acquireShared({ provider: 'openai' })
    : rotator.acquire({ provider: 'openai' });
  if (!lease.ok) throw new Error(lease.reason);
  picked.push(lease.id);
  rotator.report(lease, { type: 'success', latencyMs: 10 });
}
await store.close();
process.stdout.write(`${JSON.stringify({ picked })}\n`);
