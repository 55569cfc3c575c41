// Refreshes under contention: 30 refreshers at once on one expired Codex login (Codex's own flock
// and the re-read inside it keep them apart), against a loopback fake of its token endpoint with
// single-use refresh tokens. Prints the number of refresh calls (must be 1) and the time from the
// start to the last refresher's answer; exits 1 when more than one call was made.
import { ALL_ADAPTERS, createScanContext } from '@ctd/scanners';
import { createTempHome, fixtures, startFakeOpenAIOAuth } from '@ctd/test-utils';
import { recordGoal } from '../../../scripts/bench-summary.mjs';
import { Refresher } from '../src/index.ts';

const REFRESHERS = 30;
const ROUNDS = 5;
const say = (line: string) => process.stdout.write(`${line}\n`);

const codex = ALL_ADAPTERS.find((a) => a.id === 'codex-cli');
if (!codex) throw new Error('no codex-cli adapter');

say(`${REFRESHERS} refreshers on one expired Codex login (goal: 1 refresh call each round)`);
say('round   mode                     calls   reuse errors   last answer ms');
let bad = 0;
const calls: Record<string, number[]> = { 'separate refreshers': [], 'one shared refresher': [] };
const lastMs: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const mode of ['separate refreshers', 'one shared refresher'] as const) {
    const home = await createTempHome('ctd-refresh-bench-');
    const fake = await startFakeOpenAIOAuth({ refreshTokens: [fixtures.codex.CODEX.refreshToken] });
    try {
      await fixtures.codex.writeCodexChatGpt(home);
      const env = { ...home.env, CTD_OPENAI_OAUTH_URL: fake.origin };
      const scanned = await codex.scan(createScanContext({ env }));
      const login = scanned.credentials.find((c) => c.kind === 'oauth');
      if (!login) throw new Error('no login in the fixture');
      const make = () => new Refresher({ env, stateDir: home.resolve('state') });
      const shared = make();
      const t0 = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: REFRESHERS }, () =>
          (mode === 'one shared refresher' ? shared : make()).refresh(login),
        ),
      );
      const ms = performance.now() - t0;
      const ok = outcomes.every((o) => o.status === 'refreshed' || o.status === 'refreshed-by-other');
      if (fake.stats.calls !== 1 || !ok) bad++;
      // A round that ended without new tokens counts as a failed one, whatever its calls.
      calls[mode]?.push(ok ? fake.stats.calls : Number.POSITIVE_INFINITY);
      lastMs.push(ms);
      say(
        `${String(round).padStart(5)}   ${mode.padEnd(24)} ${String(fake.stats.calls).padStart(5)}   ${String(fake.stats.reuses).padStart(12)}   ${ms.toFixed(1).padStart(14)}`,
      );
    } finally {
      await fake.close();
      await home.cleanup();
    }
  }
}
for (const [mode, xs] of Object.entries(calls)) {
  recordGoal({
    bench: 'refresher',
    goal: `refresh calls per round, ${REFRESHERS} refreshers (${mode}) ≤ 1`,
    samples: xs,
    limit: 1,
    digits: 0,
  });
}
if (bad > 0) {
  say(`!!! ${bad} round(s) made more than one refresh call or ended without new tokens`);
  process.exitCode = 1;
}
