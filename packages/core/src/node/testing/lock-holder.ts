// A second process for the lock tests: takes a lock, prints "locked", holds it until its stdin
// ends (or it is killed), then releases it and prints "released". Run it with
// `node --conditions=@ctd/source lock-holder.ts '<json args>'`.
import { withFlock } from '../flock.ts';
import { withExclusiveLockFile } from '../lock-file.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { kind: 'flock' | 'pid' | 'mtime'; path: string };
const hold = async () => {
  process.stdout.write('locked\n');
  await new Promise<void>((resolve) => {
    process.stdin.on('data', () => {});
    process.stdin.once('end', () => resolve());
    process.stdin.resume();
  });
};
if (args.kind === 'flock') await withFlock(args.path, { timeoutMs: 10_000 }, hold);
else
  await withExclusiveLockFile(args.path, { timeoutMs: 10_000, staleAfterMs: 30_000, stale: args.kind }, hold);
process.stdout.write('released\n');
