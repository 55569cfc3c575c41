// Time from spawning `openclaw gateway run` to `GET /readyz` 200, and the gateway's resident memory,
// without the plugin and with it (default config, scanning the e2e fixture home against fake
// providers), 7 alternating starts each (CTD_BENCH_RUNS for more).
//
// Each side is one home and state dir, prepared the same way and restarted for every start, so
// both sides hold the same logins in OpenClaw: `openclaw plugins install` of the packed tarball,
// then the fixture's logins imported as auth profiles (the plugin's side by its own startup scan in
// a first, untimed start; the other side by `openclaw token-discovery scan` in a CLI process, then
// the plugin disabled, so its code never loads in that gateway, and one untimed start too).
// Why not a fresh home per start, where only the plugin's side imports: then the two gateways do
// not run the same OpenClaw. The first Google profile written into `auth.profiles` makes OpenClaw
// auto-enable its `google` provider plugin in the running config (a `plugins.entries.google`
// change); its reload planner treats that as a plugin change and loads every plugin again, a new
// generation, the old one held until the gateway stops: about +100 MB, once, on the start that
// imports (any writer of a first Google profile into a running gateway's config does the same; a
// gateway started with that profile already in place loads no google plugin at start). That is
// OpenClaw's cost of adding a credential at run time, not the plugin's; it is printed apart, from
// the first starts ("first start"), and is not the goal's figure.
// Goals, judged on the medians of the alternating pairs:
// - `/readyz` with ÷ without ≤ 1.05;
// - the plugin's added RSS ≤ 30 MB: in every pair (CTD_BENCH_RSS_RUNS for fewer), the gateway's
//   resident memory (its process and its children) 20 s after `/readyz`, and for the plugin's side
//   after its startup scan became visible too (that scan imports nothing new: checked);
// - the startup scan visible within 5 s of `/readyz`.
// Skips (exit 0, says why) when the OpenClaw e2e install is absent and cannot be made.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import {
  createSandbox,
  ensureOpenClaw,
  type Gateway,
  GatewayClient,
  type OpenClawInstall,
  packPlugin,
  type Sandbox,
  waitFor,
} from '../e2e/gateway.ts';
import { type E2eFakes, startE2eFakes, writeE2eHome } from '../e2e/world.ts';

const RUNS = Math.max(7, Number(process.env.CTD_BENCH_RUNS) || 7);
// Every pair, not 3: what OpenClaw holds after a start swings by tens of MB from start to start on
// either side (its worker threads, one slow start), so 3 pairs left the goal inside their spread.
const RSS_RUNS = Math.max(0, Math.min(RUNS, Number(process.env.CTD_BENCH_RSS_RUNS ?? RUNS)));
const RSS_AFTER_READY_MS = 20_000;
const GOAL_RATIO = 1.05;
const GOAL_RSS_MB = 30;
const SCAN_GOAL_MS = 5_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  readyMs: number;
  /** With the plugin: when `tokenDiscovery.status` first showed the startup scan, after /readyz. */
  scanAfterReadyMs?: number;
  /** With the plugin: profiles its startup scan wrote (new or changed), from its log line. */
  imported?: number;
  /** Resident memory of the gateway and its children, in MB (when measured). */
  rssMb?: number;
  /** The same right after full garbage collections (when measured). */
  gcRssMb?: number | undefined;
  /** The gateway's main V8 heap in use after those collections, in MB (where the plugin's objects live). */
  heapMb?: number | undefined;
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

/** The most worker threads one collection reached (printed with the RSS figures). */
let collectedWorkers = 0;

/**
 * Asks the gateway's V8 for full garbage collections over its inspector (the gateway runs with
 * `--inspect=127.0.0.1:0`; the URL is the last one in its stderr), in its main thread and in each
 * worker thread, then reads the tree's RSS: the memory the gateway retains, without the garbage a
 * collection that V8 has not yet run would free.
 */
async function afterGc(
  gateway: Gateway,
  sandbox: Sandbox,
): Promise<{ rssMb: number; heapMb: number } | undefined> {
  const stderr = readFileSync(join(sandbox.harnessDir, 'gateway.stderr.log'), 'utf8');
  const url = [...stderr.matchAll(/ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/g)].pop()?.[0];
  if (!url) return undefined;
  const ws = new WebSocket(url);
  try {
    await new Promise((resolveOpen, reject) => {
      ws.onopen = resolveOpen;
      ws.onerror = () => reject(new Error('the gateway inspector did not answer'));
    });
    let id = 0;
    const waiting = new Map<number, (reply: unknown) => void>();
    const workers: string[] = [];
    const workerReplies = new Map<string, () => void>();
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as {
        id?: number;
        method?: string;
        params?: { sessionId?: string; message?: string };
      };
      if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
      const sessionId = msg.params?.sessionId;
      if (msg.method === 'NodeWorker.attachedToWorker' && sessionId) workers.push(sessionId);
      if (msg.method === 'NodeWorker.receivedMessageFromWorker' && sessionId) {
        const inner = JSON.parse(msg.params?.message ?? '{}') as { id?: number };
        if (inner.id !== undefined) workerReplies.get(`${sessionId}:${inner.id}`)?.();
      }
    };
    const call = (method: string, params: object = {}) =>
      new Promise<unknown>((resolveCall) => {
        const callId = ++id;
        waiting.set(callId, resolveCall);
        ws.send(JSON.stringify({ id: callId, method, params }));
      });
    // Several rounds: a collection can free what finalizers of the previous one released.
    for (let i = 0; i < 3; i++) await call('HeapProfiler.collectGarbage');
    // And in each of OpenClaw's worker threads (state reads, transcripts: ~300 MB of heap between
    // them), whose garbage would otherwise stand in the RSS of whichever side happened to hold more.
    await call('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await sleep(300); // the attachedToWorker events of the running workers
    await Promise.all(
      workers.map(async (sessionId) => {
        for (let i = 1; i <= 3; i++) {
          await Promise.race([
            new Promise<void>((done) => {
              workerReplies.set(`${sessionId}:${i}`, done);
              void call('NodeWorker.sendMessageToWorker', {
                sessionId,
                message: JSON.stringify({ id: i, method: 'HeapProfiler.collectGarbage' }),
              });
            }),
            sleep(10_000, undefined, { ref: false }), // a worker that ends meanwhile never answers
          ]);
        }
      }),
    );
    await call('NodeWorker.disable');
    collectedWorkers = Math.max(collectedWorkers, workers.length);
    await sleep(1000);
    const reply = (await call('Runtime.evaluate', {
      expression: 'process.memoryUsage().heapUsed',
      returnByValue: true,
    })) as { result?: { result?: { value?: number } } };
    return { rssMb: treeRssMb(gateway.pid), heapMb: (reply.result?.result?.value ?? 0) / 1048576 };
  } finally {
    ws.close();
  }
}

/** One gateway start in a prepared sandbox, until `/readyz` (and the startup scan), then stopped. */
async function startOnce(sandbox: Sandbox, enabled: boolean, measureRss: boolean): Promise<Sample> {
  // Both sides alike: the inspector on a free loopback port, used only after the RSS sample.
  (sandbox.env as Record<string, string>).NODE_OPTIONS = '--inspect=127.0.0.1:0';
  const gateway = sandbox.startGateway();
  const sample: Sample = { readyMs: 0 };
  try {
    sample.readyMs = await gateway.waitReady();
    const readyAt = performance.now();
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
      const gc = await afterGc(gateway, sandbox);
      sample.gcRssMb = gc?.rssMb;
      sample.heapMb = gc?.heapMb;
    }
    return sample;
  } finally {
    await gateway.stop();
    // The status counts profiles in place; the scan's log line says how many it wrote.
    if (enabled) {
      const lines = readFileSync(sandbox.logFile, 'utf8').match(/startup scan: [^"\n]*?(\d+) imported/g);
      const last = lines?.pop();
      if (last) sample.imported = Number(/(\d+) imported/.exec(last)?.[1]);
    }
  }
}

/** Auth profile ids in the sandbox's config, by provider (`openai: 2, google: 1`). */
async function profilesByProvider(sandbox: Sandbox): Promise<string> {
  const config = (await sandbox.readConfig()) as {
    auth?: { profiles?: Record<string, { provider?: string }> };
  };
  const count = new Map<string, number>();
  for (const p of Object.values(config.auth?.profiles ?? {})) {
    count.set(p.provider ?? '?', (count.get(p.provider ?? '?') ?? 0) + 1);
  }
  return (
    [...count]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ') || 'none'
  );
}

/**
 * One side's home and state dir: the packed plugin installed, the fixture's logins imported (by
 * the plugin's startup scan in the first start, or by its CLI command with the plugin then
 * disabled), and that first start done (untimed, its RSS kept for the "first start" line).
 */
async function prepareSide(
  install: OpenClawInstall,
  fakes: E2eFakes,
  tarball: string,
  enabled: boolean,
): Promise<{ sandbox: Sandbox; first: Sample }> {
  const sandbox = await createSandbox(install, {
    prefix: `ctd-readyz-bench-${enabled ? 'with' : 'without'}-`,
    env: fakes.env,
  });
  try {
    fakes.allow((await writeE2eHome(sandbox.home)).secrets);
    await sandbox.installPlugin(tarball);
    await sandbox.configurePlugin({}, { enabled: true });
    if (!enabled) {
      const r = await sandbox.openclaw(['token-discovery', 'scan', '--json'], { timeoutMs: 600_000 });
      if (r.code !== 0)
        throw new Error(`openclaw token-discovery scan failed (exit ${r.code}):\n${r.stderr}`);
      await sandbox.configurePlugin({}, { enabled: false });
    }
    return { sandbox, first: await startOnce(sandbox, enabled, RSS_RUNS > 0) };
  } catch (error) {
    await sandbox.cleanup();
    throw error;
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
      `OpenClaw ${install.version}, Node 24 from ${install.dir}; ${RUNS} alternating starts each, one prepared home per side; RSS in the first ${RSS_RUNS} pairs`,
    );
    const sides: Sandbox[] = [];
    try {
      const off = await prepareSide(install, fakes, tarball, false);
      sides.push(off.sandbox);
      const on = await prepareSide(install, fakes, tarball, true);
      sides.push(on.sandbox);
      const [offProfiles, onProfiles] = [
        await profilesByProvider(off.sandbox),
        await profilesByProvider(on.sandbox),
      ];
      say(`auth profiles in OpenClaw: without the plugin ${offProfiles}; with it ${onProfiles}`);
      if (offProfiles !== onProfiles) throw new Error('the two sides do not hold the same auth profiles');
      say(
        `first start (not counted): ${sec(off.first.readyMs)} without, ${sec(on.first.readyMs)} with the plugin (its startup scan imported ${on.first.imported ?? 0})${RSS_RUNS > 0 ? `; RSS ${(off.first.rssMb ?? 0).toFixed(0)} / ${(on.first.rssMb ?? 0).toFixed(0)} MB, after GC ${off.first.gcRssMb?.toFixed(0)} / ${on.first.gcRssMb?.toFixed(0)} MB` : ''}`,
      );
      const start = (enabled: boolean, rss: boolean) =>
        startOnce(enabled ? on.sandbox : off.sandbox, enabled, rss);
      const without: Sample[] = [];
      const withPlugin: Sample[] = [];
      say('spawn → /readyz 200   without (disabled)   with plugin   scan visible after   RSS without / with');
      for (let i = 0; i < RUNS; i++) {
        const rss = i < RSS_RUNS;
        // Which side goes first alternates too, so a drift in the machine's load favours neither.
        const pair =
          i % 2 === 0
            ? [await start(false, rss), await start(true, rss)]
            : [await start(true, rss), await start(false, rss)].reverse();
        const [w, p] = pair as [Sample, Sample];
        if (p.imported)
          say(`  (run ${i + 1}: the startup scan imported ${p.imported}: not the steady state)`);
        without.push(w);
        withPlugin.push(p);
        say(
          `  run ${String(i + 1).padEnd(2)}             ${sec(w.readyMs)}            ${sec(p.readyMs)}     ${sec(p.scanAfterReadyMs ?? 0)}        ${w.rssMb === undefined ? '' : `${w.rssMb.toFixed(0)} / ${(p.rssMb ?? 0).toFixed(0)} MB (after GC ${w.gcRssMb?.toFixed(0)} / ${p.gcRssMb?.toFixed(0)})`}`,
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
        const mb = (xs: readonly number[]) => describe(stats(xs), ' MB', 0);
        const raw = (side: Sample[]) => side.slice(0, RSS_RUNS).map((s) => s.rssMb as number);
        const [rw, rp] = [raw(without), raw(withPlugin)];
        say(
          `gateway RSS 20 s after /readyz, as found: ${mb(rw)} without, ${mb(rp)} with the plugin; added ${mb(rp.map((x, i) => x - (rw[i] as number)))}`,
        );
        const gc = (side: Sample[]) => side.slice(0, RSS_RUNS).map((s) => s.gcRssMb);
        const [gw, gp] = [gc(without), gc(withPlugin)];
        if (gw.every((x) => x !== undefined) && gp.every((x) => x !== undefined)) {
          say(
            `the same after full garbage collections (main thread and up to ${collectedWorkers} worker threads): ${mb(gw)} without, ${mb(gp)} with the plugin`,
          );
          const heap = (side: Sample[]) => side.slice(0, RSS_RUNS).map((s) => s.heapMb ?? 0);
          const [hw, hp] = [heap(without), heap(withPlugin)];
          say(
            `the gateway's V8 heap in use after them: ${mb(hw)} without, ${mb(hp)} with the plugin; added ${mb(hp.map((x, i) => x - (hw[i] as number)))}`,
          );
          recordGoal({
            bench: 'gateway readyz',
            goal: `the plugin's added gateway RSS after its startup scan (after GC) ≤ ${GOAL_RSS_MB} MB`,
            samples: gp.map((x, i) => x - (gw[i] as number)),
            limit: GOAL_RSS_MB,
            unit: ' MB',
            digits: 0,
          });
        } else {
          say('the gateway inspector did not answer: no RSS after garbage collection, no RSS goal judged');
        }
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
      for (const sandbox of sides) await sandbox.cleanup();
    }
  } finally {
    await fakes.close();
    await rm(packDir, { recursive: true, force: true });
  }
}

await main();
