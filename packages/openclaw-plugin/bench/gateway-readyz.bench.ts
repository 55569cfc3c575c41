// Time from spawning `openclaw gateway run` to `GET /readyz` 200, without the plugin and with it
// (default config, scanning the e2e fixture home against fake providers), each in a fresh home and
// state dir, 7 alternating runs each (CTD_BENCH_RUNS for more) after one untimed warm-up start.
// Both sides are prepared the same way, by `openclaw plugins install` of the packed tarball;
// "without" then disables the plugin, so its code never loads. (Preparing only one side skews the
// numbers: that install run warms Node's compile cache and creates the state database, which made
// a gateway *with* the plugin start faster.)
// Goals, judged on the medians of the alternating pairs:
// - `/readyz` with ÷ without ≤ 1.05;
// - the plugin's added RSS ≤ 30 MB: in the first 3 pairs (CTD_BENCH_RSS_RUNS), the gateway's
//   resident memory (its process and its children) 20 s after `/readyz`, and for the plugin's side
//   after its startup scan became visible too;
// - the startup scan visible within 5 s of `/readyz`.
// Skips (exit 0, says why) when the OpenClaw e2e install is absent and cannot be made.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import {
  createSandbox,
  ensureOpenClaw,
  GatewayClient,
  type OpenClawInstall,
  packPlugin,
  waitFor,
} from '../e2e/gateway.ts';
import { type E2eFakes, startE2eFakes, writeE2eHome } from '../e2e/world.ts';

const RUNS = Math.max(7, Number(process.env.CTD_BENCH_RUNS) || 7);
const RSS_RUNS = Math.max(0, Math.min(RUNS, Number(process.env.CTD_BENCH_RSS_RUNS ?? 3)));
const RSS_AFTER_READY_MS = 20_000;
const GOAL_RATIO = 1.05;
const GOAL_RSS_MB = 30;
const SCAN_GOAL_MS = 5_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  readyMs: number;
  /** With the plugin: when `tokenDiscovery.status` first showed the startup scan, after /readyz. */
  scanAfterReadyMs?: number;
  /** Resident memory of the gateway and its children, in MB (when measured). */
  rssMb?: number;
}

/** VmRSS of a process and of its children (the gateway's helpers), in MB. */
function treeRssMb(pid: number): number {
  const rssOf = (p: number) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  let kb = rssOf(pid);
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) kb += rssOf(Number(c));
    }
  } catch {
    // The process ended: what was read stands.
  }
  return kb / 1024;
}

async function startOnce(
  install: OpenClawInstall,
  fakes: E2eFakes,
  tarball: string,
  enabled: boolean,
  measureRss: boolean,
): Promise<Sample> {
  const sandbox = await createSandbox(install, { prefix: 'ctd-readyz-bench-', env: fakes.env });
  try {
    fakes.allow((await writeE2eHome(sandbox.home)).secrets);
    await sandbox.installPlugin(tarball);
    await sandbox.configurePlugin({}, { enabled });
    const gateway = sandbox.startGateway();
    try {
      const readyMs = await gateway.waitReady();
      const readyAt = performance.now();
      const sample: Sample = { readyMs };
      if (enabled) {
        const client = await GatewayClient.connect(sandbox, ['operator.read']);
        try {
          await waitFor(
            'the startup scan',
            async () => {
              const r = await client.call<{ lastScan: unknown; scanning: boolean }>('tokenDiscovery.status');
              return r.ok && r.payload?.lastScan && !r.payload.scanning ? true : undefined;
            },
            { timeoutMs: 60_000, intervalMs: 100 },
          );
        } finally {
          client.close();
        }
        sample.scanAfterReadyMs = performance.now() - readyAt;
      }
      if (measureRss) {
        const wait = RSS_AFTER_READY_MS - (performance.now() - readyAt);
        if (wait > 0) await sleep(wait);
        sample.rssMb = treeRssMb(gateway.pid);
      }
      return sample;
    } finally {
      await gateway.stop();
    }
  } finally {
    await sandbox.cleanup();
  }
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(9);

async function main(): Promise<void> {
  let install: OpenClawInstall;
  try {
    install = ensureOpenClaw();
  } catch (error) {
    say(`skipped: the OpenClaw e2e install is absent and could not be made (${(error as Error).message})`);
    return;
  }
  const packDir = await mkdtemp(join(tmpdir(), 'ctd-readyz-bench-pack-'));
  const fakes = await startE2eFakes([]);
  try {
    let tarball: string;
    try {
      tarball = packPlugin(packDir).tarball;
    } catch (error) {
      say(`skipped: could not pack the plugin (${(error as Error).message})`);
      return;
    }
    say(machineLoad());
    say(
      `OpenClaw ${install.version}, Node 24 from ${install.dir}; ${RUNS} alternating runs each, fresh state dirs; RSS in the first ${RSS_RUNS} pairs`,
    );
    const warm = await startOnce(install, fakes, tarball, false, false);
    say(`warm-up start (not counted): ${sec(warm.readyMs)}`);
    const without: Sample[] = [];
    const withPlugin: Sample[] = [];
    say('spawn → /readyz 200   without (disabled)   with plugin   scan visible after   RSS without / with');
    for (let i = 0; i < RUNS; i++) {
      const rss = i < RSS_RUNS;
      // Which side goes first alternates too, so a drift in the machine's load favours neither.
      const pair =
        i % 2 === 0
          ? [
              await startOnce(install, fakes, tarball, false, rss),
              await startOnce(install, fakes, tarball, true, rss),
            ]
          : [
              await startOnce(install, fakes, tarball, true, rss),
              await startOnce(install, fakes, tarball, false, rss),
            ].reverse();
      const [w, p] = pair as [Sample, Sample];
      without.push(w);
      withPlugin.push(p);
      say(
        `  run ${String(i + 1).padEnd(2)}             ${sec(w.readyMs)}            ${sec(p.readyMs)}     ${sec(p.scanAfterReadyMs ?? 0)}        ${w.rssMb === undefined ? '' : `${w.rssMb.toFixed(0)} / ${(p.rssMb ?? 0).toFixed(0)} MB`}`,
      );
    }
    const a = stats(without.map((s) => s.readyMs));
    const b = stats(withPlugin.map((s) => s.readyMs));
    say(`  median             ${sec(a.median)}            ${sec(b.median)}`);
    recordGoal({
      bench: 'gateway readyz',
      goal: `/readyz with the plugin ÷ without, ${RUNS} alternating pairs ≤ ${GOAL_RATIO}`,
      samples: withPlugin.map((s, i) => s.readyMs / (without[i] as Sample).readyMs),
      limit: GOAL_RATIO,
      unit: 'x',
      digits: 3,
    });
    if (RSS_RUNS > 0) {
      const rw = without.slice(0, RSS_RUNS).map((s) => s.rssMb as number);
      const rp = withPlugin.slice(0, RSS_RUNS).map((s) => s.rssMb as number);
      say(
        `gateway RSS 20 s after /readyz: ${stats(rw).median.toFixed(0)} MB without, ${stats(rp).median.toFixed(0)} MB with the plugin (medians of ${RSS_RUNS})`,
      );
      recordGoal({
        bench: 'gateway readyz',
        goal: `the plugin's added gateway RSS after its startup scan ≤ ${GOAL_RSS_MB} MB`,
        samples: rp.map((x, i) => x - (rw[i] as number)),
        limit: GOAL_RSS_MB,
        unit: ' MB',
        digits: 0,
      });
    }
    recordGoal({
      bench: 'gateway readyz',
      goal: `startup scan visible after /readyz ≤ ${SCAN_GOAL_MS / 1000} s`,
      samples: withPlugin.map((s) => (s.scanAfterReadyMs ?? 0) / 1000),
      limit: SCAN_GOAL_MS / 1000,
      unit: ' s',
      digits: 2,
    });
  } finally {
    await fakes.close();
    await rm(packDir, { recursive: true, force: true });
  }
}

await main();
