// Scan speed: in-process over a home holding every source, and the whole `ctd scan --json
// --offline` process beside bare Node start-up (`node -e 0`): 15 alternating runs each (wall
// time, and CPU time, which a busy machine disturbs less), then 7 alternating runs each for the
// peak RSS (read at exit by a preloaded module, in both processes alike). The history file is
// written by every run, as on a real machine. Goals: wall time within 2x, peak RSS within 1.3x.
// Beside them, not a goal: a floor, the Node built-ins a scan cannot do without (an ES module
// entry, node:crypto for the hashes, node:fs/promises, node:v8 for the short-lived process's
// flags, standard output), loaded by a few lines that read one credential file and print its
// hash. What lies between the floor and the goal is all that ctd's own code may cost.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempHome, writeFullHome } from '@ctd/test-utils';
import { machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import { scan } from '../src/index.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const cli = join(root, 'apps/ctd/dist/cli.js');
const TIME_RUNS = 15;
const RSS_RUNS = 7;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Run {
  wallMs: number;
  cpuMs?: number;
  rssMb?: number;
}

function runProcess(args: string[], env: NodeJS.ProcessEnv, usage?: string): Run {
  const argv = usage ? ['--import', usage, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  const line = /CTD_BENCH_USAGE (\{.*\})/.exec(r.stderr ?? '')?.[1];
  if (!line) return { wallMs };
  const u = JSON.parse(line) as { cpu: number; rss: number };
  return { wallMs, cpuMs: u.cpu, rssMb: u.rss / 1024 };
}

const home = await createTempHome('ctd-bench-');
try {
  say(machineLoad());
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
  say(
    `in-process scan of a home with every source (${found} credentials): median of 20 = ${stats(times).median.toFixed(2)} ms`,
  );

  if (!existsSync(cli)) {
    say('whole-process: skipped (apps/ctd/dist/cli.js not built; run `npm run setup`)');
    process.exitCode = 1;
  } else {
    const env = { ...process.env, ...full.env, PATH: process.env.PATH ?? '' };
    // Reports the process's CPU time and peak RSS as it exits (a few lines, loaded in both).
    const usage = join(home.path, 'usage.mjs');
    writeFileSync(
      usage,
      "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('CTD_BENCH_USAGE ' + JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1000, rss: u.maxRSS }) + '\\n'); });\n",
    );
    const floorScript = join(home.path, 'floor.mjs');
    writeFileSync(
      floorScript,
      [
        "import { createHash } from 'node:crypto';",
        "import { readFile } from 'node:fs/promises';",
        "import { setFlagsFromString } from 'node:v8';",
        "for (const flag of ['--no-maglev', '--no-turbofan', '--semi-space-growth-factor=1']) setFlagsFromString(flag);",
        "const bytes = await readFile(process.env.HOME + '/.codex/auth.json');",
        "process.stdout.write(createHash('sha256').update(bytes).digest('hex') + '\\n');",
      ].join('\n'),
    );
    const ctd = [cli, 'scan', '--json', '--offline'];
    const floorArgs = [floorScript];
    runProcess(ctd, env); // fills the compile cache, as a second run would
    runProcess(['-e', '0'], env);
    runProcess(floorArgs, env);
    const bare: Run[] = [];
    const whole: Run[] = [];
    const floor: Run[] = [];
    for (let i = 0; i < TIME_RUNS; i++) {
      bare.push(runProcess(['-e', '0'], env));
      whole.push(runProcess(ctd, env));
      floor.push(runProcess(floorArgs, env));
    }
    const bareU: Run[] = [];
    const wholeU: Run[] = [];
    const floorU: Run[] = [];
    for (let i = 0; i < RSS_RUNS; i++) {
      bareU.push(runProcess(['-e', '0'], env, usage));
      wholeU.push(runProcess(ctd, env, usage));
      floorU.push(runProcess(floorArgs, env, usage));
    }
    const med = (rs: Run[], k: keyof Run) => stats(rs.map((r) => r[k] as number)).median;
    say(
      `node -e 0: ${med(bare, 'wallMs').toFixed(1)} ms wall, ${med(bareU, 'cpuMs').toFixed(1)} ms CPU, ${med(bareU, 'rssMb').toFixed(1)} MB peak RSS`,
    );
    say(
      `ctd scan --json --offline: ${med(whole, 'wallMs').toFixed(1)} ms wall, ${med(wholeU, 'cpuMs').toFixed(1)} ms CPU, ${med(wholeU, 'rssMb').toFixed(1)} MB peak RSS (medians)`,
    );
    const ratio = (a: Run[], b: Run[], k: keyof Run) =>
      stats(a.map((r, i) => (r[k] as number) / (b[i]?.[k] as number))).median;
    say(
      `floor (the built-ins a scan needs, not a goal): ${med(floor, 'wallMs').toFixed(1)} ms wall (${ratio(floor, bare, 'wallMs').toFixed(2)}x), ${med(floorU, 'rssMb').toFixed(1)} MB peak RSS (${ratio(floorU, bareU, 'rssMb').toFixed(2)}x); ctd's own code: ${(med(whole, 'wallMs') - med(floor, 'wallMs')).toFixed(1)} ms, ${(med(wholeU, 'rssMb') - med(floorU, 'rssMb')).toFixed(1)} MB`,
    );
    say(
      `CPU time ratio: ${(med(wholeU, 'cpuMs') / med(bareU, 'cpuMs')).toFixed(2)}x (not a goal: what a quiet machine's wall time tends to)`,
    );
    recordGoal({
      bench: 'scan',
      goal: '`ctd scan --json --offline` wall time ÷ `node -e 0` ≤ 2x',
      samples: whole.map((w, i) => w.wallMs / (bare[i] as Run).wallMs),
      limit: 2,
      unit: 'x',
      digits: 2,
    });
    recordGoal({
      bench: 'scan',
      goal: '`ctd scan` peak RSS ÷ `node -e 0` ≤ 1.3x',
      samples: wholeU.map((w, i) => (w.rssMb as number) / ((bareU[i] as Run).rssMb as number)),
      limit: 1.3,
      unit: 'x',
      digits: 2,
    });
  }
} finally {
  await home.cleanup();
}
