// Validation speed: 50 credentials over 5 fake providers that each answer after 200 ms, checked in
// one call. The goal is a total under 1.2x the slowest single check. Prints numbers; asserts nothing.
import type { DiscoveredCredential } from '@ctd/core';
import {
  type FakeProvider,
  startFakeAnthropic,
  startFakeDashScope,
  startFakeGemini,
  startFakeOpenAI,
  startFakeOpenRouter,
} from '@ctd/test-utils';
import { makeCredential } from '../src/index.ts';
import { validateCredentials } from '../src/validate/index.ts';

const DELAY_MS = 200;
const PER_PROVIDER = 10;

interface Spec {
  provider: string;
  key: (i: number) => string;
  start: (keys: Record<string, 'valid'>) => Promise<FakeProvider>;
  env: (fake: FakeProvider) => Record<string, string>;
}

const specs: Spec[] = [
  {
    provider: 'openai',
    key: (i) => `sk-test-bench-${i}-PLACEHOLDER`,
    start: (keys) => startFakeOpenAI({ keys, delayMs: DELAY_MS }),
    env: (f) => ({ CTD_OPENAI_BASE_URL: f.baseUrl }),
  },
  {
    provider: 'google',
    key: (i) => `AIzaSy-test-bench-${i}-PLACEHOLDER`,
    start: (keys) => startFakeGemini({ keys, delayMs: DELAY_MS }),
    env: (f) => ({ CTD_GOOGLE_BASE_URL: f.baseUrl }),
  },
  {
    provider: 'anthropic',
    key: (i) => `sk-ant-api03-test-bench-${i}-PLACEHOLDER`,
    start: (keys) => startFakeAnthropic({ keys, delayMs: DELAY_MS }),
    env: (f) => ({ CTD_ANTHROPIC_BASE_URL: f.origin }),
  },
  {
    provider: 'qwen',
    key: (i) => `sk-test-bench-dashscope-${i}-PLACEHOLDER`,
    start: (keys) => startFakeDashScope({ keys, delayMs: DELAY_MS }),
    env: (f) => ({ CTD_QWEN_BASE_URL: f.baseUrl }),
  },
  {
    provider: 'openrouter',
    key: (i) => `sk-or-v1-test-bench-${i}-PLACEHOLDER`,
    start: (keys) => startFakeOpenRouter({ keys, delayMs: DELAY_MS }),
    env: (f) => ({ CTD_OPENROUTER_BASE_URL: f.baseUrl }),
  },
];

const fakes: FakeProvider[] = [];
try {
  const env: Record<string, string> = {};
  const byProvider: DiscoveredCredential[][] = [];
  for (const spec of specs) {
    const keys = Array.from({ length: PER_PROVIDER }, (_, i) => spec.key(i));
    const fake = await spec.start(Object.fromEntries(keys.map((k) => [k, 'valid' as const])));
    fakes.push(fake);
    Object.assign(env, spec.env(fake));
    byProvider.push(
      keys.map((secret) =>
        makeCredential({
          source: 'environment',
          provider: spec.provider,
          kind: 'api_key',
          label: 'bench key',
          secret,
          origin: { type: 'env', variable: 'BENCH_PLACEHOLDER_KEY' },
        }),
      ),
    );
  }
  const all = byProvider.flat();

  // Warm-up: module loading and the first connection to each server are not what is measured.
  await validateCredentials(
    byProvider.map((list) => list[0] as DiscoveredCredential),
    { env },
  );

  // The slowest single check: each provider's first credential alone, one at a time.
  let slowest = 0;
  for (const list of byProvider) {
    const t0 = performance.now();
    const [result] = await validateCredentials([list[0] as DiscoveredCredential], { env });
    slowest = Math.max(slowest, performance.now() - t0);
    if (result?.status !== 'valid')
      throw new Error(`single check ended ${result?.status}: ${result?.reason}`);
  }

  const t0 = performance.now();
  const results = await validateCredentials(all, { env });
  const total = performance.now() - t0;
  const valid = results.filter((r) => r.status === 'valid').length;
  const maxInFlight = Math.max(...fakes.map((f) => f.stats.maxInFlight));

  console.log(
    `${all.length} credentials over ${specs.length} fake providers, each answering after ${DELAY_MS} ms (${valid} valid)`,
  );
  console.log(`slowest single check: ${slowest.toFixed(1)} ms`);
  console.log(
    `all ${all.length} in one call: ${total.toFixed(1)} ms (at most ${maxInFlight} requests at once per host)`,
  );
  console.log(`ratio: ${(total / slowest).toFixed(2)}x the slowest single check (goal: under 1.2x)`);
} finally {
  await Promise.all(fakes.map((f) => f.close()));
}
