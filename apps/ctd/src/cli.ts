import module from 'node:module';

// Cache compiled code between runs (start-up is most of a scan's wall time). This must run before
// the rest of the program is loaded, hence the dynamic import below.
module.enableCompileCache?.();

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
