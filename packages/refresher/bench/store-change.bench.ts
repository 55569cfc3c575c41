// Time from a store change on disk to its re-import: a service with the background work on (the
// watcher on every CLI's files) and an importer stand-in; a Codex login is replaced atomically, as
// the CLI does after its own refresh or a new login, and the time from the rename to the new
// access token reaching the importer is measured (goal: under 1 s). No network: validation is off.
import { rename } from 'node:fs/promises';
import { createMemoryHistoryStore } from '@ctd/history';
import { createTempHome, fixtures } from '@ctd/test-utils';
import { recordGoal } from '../../../scripts/bench-summary.mjs';
// The service composes the watcher with scan, import and record; it sits above this package (a
// dependency would be circular), so the bench reaches its source directly.
import {
  type CredentialImporter,
  createTokenDiscoveryService,
  startBackground,
} from '../../service/src/index.ts';

const ROUNDS = 15;
const say = (line: string) => process.stdout.write(`${line}\n`);

class Importer implements CredentialImporter {
  readonly waiters = new Map<string, () => void>();
  async hostFacts() {
    return { availableProviders: new Set(['openai']) };
  }
  async apply(_action: unknown, secret: string) {
    this.waiters.get(secret)?.();
    return 'imported' as const;
  }
}

const home = await createTempHome('ctd-store-change-bench-');
const importer = new Importer();
const service = createTokenDiscoveryService({
  env: home.env,
  history: createMemoryHistoryStore(),
  importer,
  config: { validateTokens: false, autoRefresh: false, cliSources: { 'codex-cli': { importLogins: true } } },
});
const samples: number[] = [];
try {
  await fixtures.codex.writeCodexChatGpt(home, '.codex', fixtures.codex.codexAccessToken(4_100_000_000));
  // Persistent: the bench waits on the watcher alone, which must keep the process alive.
  const background = await startBackground(service, { env: home.env, persistent: true });
  await service.scan();
  say(`${ROUNDS} atomic replacements of ~/.codex/auth.json, each until the new token is imported`);
  say('round   ms');
  for (let round = 1; round <= ROUNDS; round++) {
    const access = fixtures.codex.codexAccessToken(4_100_000_000 + round);
    const imported = new Promise<void>((resolve) => importer.waiters.set(access, resolve));
    // The new store is prepared beside it and renamed over it, as the CLIs write.
    await fixtures.codex.writeCodexChatGpt(home, '.codex-next', access);
    const t0 = performance.now();
    await rename(home.resolve('.codex-next/auth.json'), home.resolve('.codex/auth.json'));
    await imported;
    const ms = performance.now() - t0;
    samples.push(ms);
    say(`${String(round).padStart(5)}   ${ms.toFixed(1)}`);
  }
  await background.stop();
} finally {
  await service.close();
  await home.cleanup();
}
recordGoal({
  bench: 'refresher store-change',
  goal: 'store change → re-import (ms, max 1000)',
  samples,
  limit: 1000,
  unit: ' ms',
});
