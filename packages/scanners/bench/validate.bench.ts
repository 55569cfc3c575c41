// Validation speed against loopback fake providers that each answer after 200 ms.
// 1. 50 credentials over 5 providers, checked in one call; goal: under 1.2x the slowest single
//    check.
// 2. 1,000 credentials over 20 hosts (50 per host, 16 at once per host by default); goal: within
//    1.5x of (credentials per host ÷ per-host cap) × the slowest single check. The hosts are lean
//    fake OpenAI servers (fake-hosts.ts), the singles and the batch alike.
// Each is measured 5 times, alternating the single checks and the batch, so noise hits both alike;
// the goals are judged on the median ratio. The fake providers run in a process of their own
// (fake-hosts.ts): a provider's CPU is not the validator's.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DiscoveredCredential } from '@ctd/core';
import { machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import { makeCredential } from '../src/index.ts';
import { DEFAULT_PER_HOST_CONCURRENCY, validateCredentials } from '../src/validate/index.ts';
import { openaiApiKeyValidator } from '../src/validate/openai.ts';
import type { Validator } from '../src/validate/types.ts';

const DELAY_MS = 200;
const REPEATS = 5;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Fake {
  baseUrl: string;
  origin: string;
}

interface Spec {
  provider: 'openai' | 'google' | 'anthropic' | 'qwen' | 'openrouter';
  key: (i: number) => string;
  env: (fake: Fake) => Record<string, string>;
}

const specs: Spec[] = [
  {
    provider: 'openai',
    key: (i) => `sk-test-bench-${i}-PLACEHOLDER`,
    env: (f) => ({ CTD_OPENAI_BASE_URL: f.baseUrl }),
  },
  {
    provider: 'google',
    key: (i) => `AIzaSy-test-bench-${i}-PLACEHOLDER`,
    env: (f) => ({ CTD_GOOGLE_BASE_URL: f.baseUrl }),
  },
  {
    provider: 'anthropic',
    key: (i) => `sk-ant-api03-test-bench-${i}-PLACEHOLDER`,
    env: (f) => ({ CTD_ANTHROPIC_BASE_URL: f.origin }),
  },
  {
    provider: 'qwen',
    key: (i) => `sk-test-bench-dashscope-${i}-PLACEHOLDER`,
    env: (f) => ({ CTD_QWEN_BASE_URL: f.baseUrl }),
  },
  {
    provider: 'openrouter',
    key: (i) => `sk-or-v1-test-bench-${i}-PLACEHOLDER`,
    env: (f) => ({ CTD_OPENROUTER_BASE_URL: f.baseUrl }),
  },
];

/** Fake providers in their own process. */
class FakeHosts {
  readonly #child: ChildProcess;
  private constructor(child: ChildProcess) {
    this.#child = child;
  }
  static async start(): Promise<FakeHosts> {
    const child = fork(fileURLToPath(new URL('./fake-hosts.ts', import.meta.url)), [], {
      execArgv: ['--conditions=@ctd/source', '--no-warnings'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const hosts = new FakeHosts(child);
    await hosts.#next('ready');
    return hosts;
  }
  #next<T>(type: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        this.#child.off('message', onMessage);
        resolve(m as T);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', (code) => reject(new Error(`fake hosts exited with ${code}`)));
    });
  }
  async start(list: { kind: Spec['provider'] | 'openai-lean'; keys: string[] }[]): Promise<Fake[]> {
    const got = this.#next<{ fakes: Fake[] }>('started');
    this.#child.send({ type: 'start', specs: list.map((s) => ({ ...s, delayMs: DELAY_MS })) });
    return (await got).fakes;
  }
  /** The most requests any host had in flight at once, and the CPU time the fakes have used. */
  async stats(): Promise<{ maxInFlight: number; cpuMs: number }> {
    const got = this.#next<{ maxInFlight: number[]; cpuMs: number }>('stats');
    this.#child.send({ type: 'stats' });
    const { maxInFlight, cpuMs } = await got;
    return { maxInFlight: Math.max(...maxInFlight), cpuMs };
  }
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.send({ type: 'close' });
    await exited;
  }
}

const key = (provider: string, secret: string) =>
  makeCredential({
    source: 'environment',
    provider,
    kind: 'api_key',
    label: 'bench key',
    secret,
    origin: { type: 'env', variable: 'BENCH_PLACEHOLDER_KEY' },
  });

let cpuMs = 0;
async function time(fn: () => Promise<unknown>): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  cpuMs = (cpu.user + cpu.system) / 1000;
  return ms;
}

/** The slowest of one check per host, each alone (what a batch is compared with). */
async function slowestSingle(
  firsts: DiscoveredCredential[],
  options: Parameters<typeof validateCredentials>[1],
): Promise<number> {
  let slowest = 0;
  for (const c of firsts) {
    const t0 = performance.now();
    const [result] = await validateCredentials([c], options);
    slowest = Math.max(slowest, performance.now() - t0);
    if (result?.status !== 'valid')
      throw new Error(`single check ended ${result?.status}: ${result?.reason}`);
  }
  return slowest;
}

let hosts = await FakeHosts.start();
try {
  say(machineLoad());
  // 1. 50 credentials over 5 providers.
  const PER_PROVIDER = 10;
  const env: Record<string, string> = {};
  const byProvider: DiscoveredCredential[][] = [];
  const keysOf = specs.map((spec) => Array.from({ length: PER_PROVIDER }, (_, i) => spec.key(i)));
  const started = await hosts.start(
    specs.map((spec, i) => ({ kind: spec.provider, keys: keysOf[i] as string[] })),
  );
  specs.forEach((spec, i) => {
    Object.assign(env, spec.env(started[i] as Fake));
    byProvider.push((keysOf[i] as string[]).map((secret) => key(spec.provider, secret)));
  });
  const all = byProvider.flat();
  const firsts = byProvider.map((list) => list[0] as DiscoveredCredential);
  await validateCredentials(firsts, { env }); // warm-up: module loading, first connections
  const ratios: number[] = [];
  const singles: number[] = [];
  const batches: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const single = await slowestSingle(firsts, { env });
    let valid = 0;
    const total = await time(async () => {
      valid = (await validateCredentials(all, { env })).filter((x) => x.status === 'valid').length;
    });
    if (valid !== all.length) throw new Error(`${valid} of ${all.length} valid`);
    singles.push(single);
    batches.push(total);
    ratios.push(total / single);
  }
  say(
    `${all.length} credentials over ${specs.length} fake providers, each answering after ${DELAY_MS} ms: slowest single check ${stats(singles).median.toFixed(1)} ms, all at once ${stats(batches).median.toFixed(1)} ms (medians of ${REPEATS})`,
  );
  recordGoal({
    bench: 'validate',
    goal: `50 credentials / 5 hosts ÷ slowest single check ≤ 1.2x`,
    samples: ratios,
    limit: 1.2,
    unit: 'x',
    digits: 2,
  });
  await hosts.close();
  hosts = await FakeHosts.start();

  // 2. 1,000 credentials over 20 hosts (20 fake OpenAI servers), through the OpenAI check
  //    pointed at each credential's host.
  const HOSTS = 20;
  const PER_HOST = 50;
  const urlOf = new Map<string, string>();
  const many: DiscoveredCredential[] = [];
  const firstOfHost: DiscoveredCredential[] = [];
  const hostKeys = Array.from({ length: HOSTS }, (_, h) =>
    Array.from({ length: PER_HOST }, (_, i) => `sk-test-bench-h${h}-${i}-PLACEHOLDER`),
  );
  // The lean fake OpenAI host (fake-hosts.ts): the same answers, without the test fake's
  // bookkeeping, whose CPU would share the two cores with the validator being measured.
  const hostFakes = await hosts.start(hostKeys.map((keys) => ({ kind: 'openai-lean' as const, keys })));
  for (let h = 0; h < HOSTS; h++) {
    const keys = hostKeys[h] as string[];
    const fake = hostFakes[h] as Fake;
    for (const secret of keys) {
      const c = key('openai', secret);
      urlOf.set(c.id, fake.baseUrl);
      many.push(c);
    }
    firstOfHost.push(many[many.length - PER_HOST] as DiscoveredCredential);
  }
  const perHost: Validator = {
    id: 'bench-per-host',
    description: 'the OpenAI check, sent to the credential’s own fake host',
    appliesTo: () => true,
    check: (c, ctx) => {
      const url = urlOf.get(c.id) as string;
      return openaiApiKeyValidator.check(c, { ...ctx, override: () => url, baseUrl: () => url });
    },
  };
  const opts = { env: {}, validators: [perHost] };
  await validateCredentials(firstOfHost, opts); // warm-up
  const waves = PER_HOST / DEFAULT_PER_HOST_CONCURRENCY;
  const ratios2: number[] = [];
  const batches2: number[] = [];
  const cpus: number[] = [];
  const hostCpus: number[] = [];
  const singles2: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const single = await slowestSingle(firstOfHost.slice(0, 5), opts);
    let valid = 0;
    const hostCpu0 = (await hosts.stats()).cpuMs;
    const total = await time(async () => {
      valid = (await validateCredentials(many, opts)).filter((x) => x.status === 'valid').length;
    });
    if (valid !== many.length) throw new Error(`${valid} of ${many.length} valid`);
    hostCpus.push((await hosts.stats()).cpuMs - hostCpu0);
    singles2.push(single);
    batches2.push(total);
    cpus.push(cpuMs);
    ratios2.push(total / (waves * single));
  }
  const { maxInFlight } = await hosts.stats();
  // With a cap of 16, 50 checks to a host need 4 rounds, not 50/16 = 3.125: the goal's ideal is
  // out of reach by that much even with no overhead at all. Printed so the figure can be read.
  const rounds = Math.ceil(PER_HOST / DEFAULT_PER_HOST_CONCURRENCY);
  say(
    `${many.length} credentials over ${HOSTS} hosts (${PER_HOST} each, at most ${maxInFlight} at once per host): slowest single check ${stats(singles2).median.toFixed(1)} ms, all at once ${stats(batches2).median.toFixed(1)} ms; ideal ${PER_HOST}/${DEFAULT_PER_HOST_CONCURRENCY} × single = ${(waves * stats(singles2).median).toFixed(0)} ms (${rounds} rounds of ${DELAY_MS} ms at least: ${((rounds * DELAY_MS) / (waves * stats(singles2).median)).toFixed(2)}x); the batch took ${stats(cpus).median.toFixed(0)} ms of CPU, the fake hosts ${stats(hostCpus).median.toFixed(0)} ms`,
  );
  recordGoal({
    bench: 'validate',
    goal: `1,000 credentials / 20 hosts ÷ ((per host ÷ cap) × slowest) ≤ 1.5x`,
    samples: ratios2,
    limit: 1.5,
    unit: 'x',
    digits: 2,
  });
} finally {
  await hosts.close();
}
