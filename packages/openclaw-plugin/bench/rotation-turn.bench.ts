// The latency the plugin's rotation adds to an agent turn in a real OpenClaw gateway: the same
// fake OpenAI-compatible provider (on loopback, answering at once), the same four imported API
// keys, turns through the gateway's `agent` method, with the plugin's rotation on (round-robin:
// usage recorded per request, the session's pin moved after every turn) and with the plugin
// disabled (OpenClaw's own rotation). Blocks alternate (off, on, off, on) in one run, each on a
// fresh gateway start with a few untimed warm-up turns; the median of every timed turn per side,
// and their ratio. Goal: the plugin adds under 2%.
// Skips (exit 0, says why) when the OpenClaw e2e install is absent and cannot be made.
import { randomBytes, randomUUID } from 'node:crypto';
import { startFakeOpenAICompatible } from '@ctd/test-utils';
import { machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import {
  createSandbox,
  ensureOpenClaw,
  GatewayClient,
  type OpenClawInstall,
  OpenClawUnavailableError,
  packPlugin,
  type Sandbox,
} from '../e2e/gateway.ts';
import { agentTurn, configureFakeOpenAI } from '../e2e/rotation-world.ts';

const TURNS_PER_BLOCK = Math.max(10, Number(process.env.CTD_BENCH_TURNS) || 12);
const BLOCKS = 2; // per side
const WARMUP = 3;
const GOAL_PCT = 2;
const say = (line: string) => process.stdout.write(`${line}\n`);

let install: OpenClawInstall;
try {
  install = ensureOpenClaw();
} catch (error) {
  if (error instanceof OpenClawUnavailableError) {
    say(`skipped: ${error.message}`);
    process.exit(0);
  }
  throw error;
}

say(`rotation turn-latency bench (${machineLoad()}): ${BLOCKS}×${TURNS_PER_BLOCK} timed turns per side`);
const keys = ['A', 'B', 'C', 'D'].map(
  (n) => `sk-test-PLACEHOLDER-bench${n}-${randomBytes(12).toString('hex')}`,
);
const fake = await startFakeOpenAICompatible({ keys });
const sandbox: Sandbox = await createSandbox(install, {
  prefix: 'ctd-turn-bench-',
  env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
});
const pluginConfig = { scanOnStartup: false, rotationStrategy: 'round-robin' };
const samples: Record<'on' | 'off', number[]> = { on: [], off: [] };

async function block(enabled: boolean, importKeys = false): Promise<void> {
  await configureFakeOpenAI(sandbox, fake.baseUrl, pluginConfig, { enabled });
  const gateway = sandbox.startGateway();
  try {
    await gateway.waitReady();
    const client = await GatewayClient.connect(sandbox);
    try {
      if (importKeys) {
        for (const token of keys) {
          const r = await client.call('tokenDiscovery.importManual', { cli: 'codex-cli', token });
          if (!r.ok) throw new Error(`import failed: ${r.error?.code}`);
        }
        return;
      }
      // New sessions each block, one turn after another (what a person at a chat does).
      const session = `agent:main:bench-${enabled ? 'on' : 'off'}-${randomUUID().slice(0, 8)}`;
      for (let i = 0; i < WARMUP + TURNS_PER_BLOCK; i++) {
        const r = await agentTurn(client, session, `turn ${i}: reply with ok`);
        if (r.status !== 'ok') throw new Error(`turn ${i} ended ${r.status}`);
        if (i >= WARMUP) (enabled ? samples.on : samples.off).push(r.ms);
      }
    } finally {
      client.close();
    }
  } finally {
    await gateway.stop();
  }
}

try {
  const { tarball } = packPlugin(sandbox.harnessDir);
  await sandbox.installPlugin(tarball);
  await block(true, true); // imports the four keys through the plugin
  for (let b = 0; b < BLOCKS; b++) {
    await block(false);
    await block(true);
  }
  const off = stats(samples.off);
  const on = stats(samples.on);
  say(`plugin disabled: median ${off.median.toFixed(0)} ms per turn (n=${off.n})`);
  say(`rotation on:     median ${on.median.toFixed(0)} ms per turn (n=${on.n})`);
  say(
    `ratio on/off: ${(on.median / off.median).toFixed(3)}; requests seen by the fake: ${fake.chatRequests.length}`,
  );
  // Per-pair ratios (turn i of the on block over turn i of the off block before it), so the spread
  // shows how much of the difference is noise.
  const pct = samples.on.map((x, i) => (x / (samples.off[i] as number) - 1) * 100);
  recordGoal({
    bench: 'openclaw-plugin rotation',
    goal: `latency the plugin's rotation adds to an agent turn, % (median of ${on.n} turns each side, goal < ${GOAL_PCT}%)`,
    samples: pct,
    limit: GOAL_PCT,
    unit: '%',
  });
} finally {
  await fake.close();
  await sandbox.cleanup();
}
