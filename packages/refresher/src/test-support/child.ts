// A refresher in its own process, for the race and crash tests. Argument: JSON
// { adapter: 'demo' | <source id>, rotating?, refreshers, force?, stallAfterAnswer?, stateDir, barrier? }.
// Scans, runs `refreshers` independent Refresher instances at once (each with its own in-process
// single flight, so only the CLI's lock and the re-read keep them apart), prints one JSON line of
// outcomes. With `stallAfterAnswer` it prints `ANSWERED` once new tokens arrive and then hangs,
// to be killed before writing them back.
import { ALL_ADAPTERS, createScanContext, type SourceAdapter } from '@ctd/scanners';
import { Refresher } from '../refresher.ts';
import { demoCliAdapter } from './demo-cli.ts';

interface Args {
  adapter: string;
  rotating?: boolean;
  refreshers: number;
  force?: boolean;
  stallAfterAnswer?: boolean;
  stateDir: string;
  /** Print `READY` after the scan and wait for a `GO` line on stdin, so that every child starts at once. */
  barrier?: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const adapters: SourceAdapter[] =
  args.adapter === 'demo' ? [demoCliAdapter({ rotating: args.rotating ?? true })] : [...ALL_ADAPTERS];
const adapter = adapters.find((a) => a.id === (args.adapter === 'demo' ? 'demo-cli' : args.adapter));
if (!adapter) throw new Error(`no adapter ${args.adapter}`);
const ctx = createScanContext({ env: process.env, adapters });
const scanned = await adapter.scan(ctx);
const credential = scanned.credentials.find((c) => c.kind === 'oauth');
if (!credential) throw new Error('no oauth login in the store');
if (args.barrier) {
  process.stdout.write('READY\n');
  await new Promise<void>((resolve) => {
    let input = '';
    process.stdin.on('data', (chunk: Buffer) => {
      input += chunk.toString();
      if (input.includes('GO\n')) resolve();
    });
  });
  process.stdin.destroy();
}
const hooks = args.stallAfterAnswer
  ? {
      afterAnswer: async () => {
        process.stdout.write('ANSWERED\n');
        await new Promise(() => setInterval(() => {}, 1_000));
      },
    }
  : undefined;
const outcomes = await Promise.all(
  Array.from({ length: args.refreshers }, () =>
    new Refresher({
      adapters,
      env: process.env,
      stateDir: args.stateDir,
      optedIn: () => true,
      retry: { attempts: 2, baseDelayMs: 50 },
      hooks,
    }).refresh(credential, { force: args.force ?? false }),
  ),
);
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
