import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

// Cache compiled code between runs (start-up is most of a scan's wall time). This must run before
// the rest of the program is loaded, hence the dynamic imports below.
module.enableCompileCache?.();

// A command that ends by itself lives a fraction of a second. V8's optimizing compilers (Maglev,
// TurboFan) then compile code on background threads that the command is over before it pays
// back, and the young generation grows pages that a second scavenge would reuse: together about
// 7 MB of a scan's 68 MB peak and 5% of its time (bench: `npm run bench -- scan`). These flags are
// read when V8 acts on them, so setting them now, before any of our code runs, takes effect.
// `serve` and `watch` run for hours and keep V8's defaults.
const { endsByItself } = await import('./commands/index.ts');
if (endsByItself(process.argv.slice(2))) {
  setFlagsFromString('--no-maglev');
  setFlagsFromString('--no-turbofan');
  setFlagsFromString('--semi-space-growth-factor=1');
}

const { main } = await import('./main.ts');
const { guardOutput } = await import('./output.ts');
const { runInterruptHandlers } = await import('./lifecycle.ts');

// Ctrl-C: put the terminal back (a progress line is cleared), then end as a shell expects (128 + 2).
process.once('SIGINT', () => {
  runInterruptHandlers();
  process.exit(130);
});

const stdout = guardOutput(process.stdout, process.stderr, () => {
  process.exitCode = 1;
});
const code = await main(process.argv.slice(2), {
  stdout,
  stderr: process.stderr,
  // Read when a command asks for it: creating process.stdin costs a stream (a few ms of each
  // start), and most commands never read it.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
});
process.exitCode = stdout.failed() ? 1 : code;
