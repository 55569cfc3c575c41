import module from 'node:module';
import { main } from './main.ts';

// Cache compiled code between runs: start-up time is most of a scan's wall time.
module.enableCompileCache?.();

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
process.exitCode = code;
