// Scan speed: in-process over a home holding every source, and the whole `ctd scan` process
// beside bare Node start-up. Prints numbers; asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempHome, writeFullHome } from '@ctd/test-utils';
import { scan } from '../src/index.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const cli = join(root, 'apps/ctd/dist/cli.js');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function timeProcess(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return ms;
}

const home = await createTempHome('ctd-bench-');
try {
  const full = await writeFullHome(home);
  await scan({ env: full.env }); // warm-up
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const r = await scan({ env: full.env });
    times.push(performance.now() - t0);
    found = r.credentials.length;
  }
  console.log(
    `in-process scan of a home with every source (${found} credentials): median of 20 = ${median(times).toFixed(2)} ms`,
  );

  if (!existsSync(cli)) {
    console.log('whole-process: skipped (apps/ctd/dist/cli.js not built; run `npm run setup`)');
  } else {
    const env = { ...process.env, ...full.env, PATH: process.env.PATH ?? '' };
    timeProcess([cli, 'scan', '--json', '--offline'], env); // fills the compile cache, as a second run would
    const bare = timeProcess(['-e', '0'], env);
    const whole = timeProcess([cli, 'scan', '--json', '--offline'], env);
    console.log(`node -e 0: ${bare.toFixed(1)} ms`);
    console.log(`ctd scan --json --offline: ${whole.toFixed(1)} ms`);
    console.log(`ratio (one run each): ${(whole / bare).toFixed(2)}x bare Node start-up (goal: within 3x)`);
  }
} finally {
  await home.cleanup();
}
