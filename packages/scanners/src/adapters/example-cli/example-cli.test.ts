// Proves the claim of the adapter layout: a CLI is one folder plus one line in an adapter list.
// The example CLI lives only in this folder; the list here is ALL_ADAPTERS plus one line, and
// every per-CLI table (aliases, priority, login command, key page, policy, gateway facts) comes
// out of the registry lookups without any other file knowing the CLI.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempHome, runAdapterContract, type TempHome, writeFullHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCredential } from '../../credential.ts';
import { scan } from '../../scan.ts';
import { ALL_ADAPTERS, SOURCE_IDS } from '../index.ts';
import {
  adapterById,
  allProviderIds,
  keyPageFor,
  policyFor,
  providerFacts,
  refreshMethodsFor,
  sourcesForName,
} from '../registry.ts';
import { EXAMPLE, populate } from './fixture.ts';
import { EXAMPLE_KEY_PAGE, EXAMPLE_PROVIDER, exampleCliAdapter } from './index.ts';

/** The adapter list with the example CLI: the one line adding a CLI takes. */
const WITH_EXAMPLE = [...ALL_ADAPTERS, exampleCliAdapter];

runAdapterContract({
  adapter: exampleCliAdapter,
  fixtures: { populate },
  neighbours: { adapters: WITH_EXAMPLE, writeHome: writeFullHome },
  writeBack: {
    tokens: {
      accessToken: 'ex-test-PLACEHOLDER-refreshed-access-3333',
      refreshToken: 'ex-test-PLACEHOLDER-refreshed-refresh-4444',
      expiresAtMs: 1_800_000_000_000,
    },
  },
});

describe('adding a CLI: one folder and one line in the adapter list', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await createTempHome();
  });
  afterEach(() => home.cleanup());

  it('is not shipped: the built-in list and its source ids do not have it', () => {
    expect(ALL_ADAPTERS).not.toContain(exampleCliAdapter);
    expect(SOURCE_IDS).not.toContain('example-cli');
    expect(sourcesForName('example')).toEqual([]);
  });

  it('is scanned with the others, and its credentials carry the facts of its folder', async () => {
    const full = await writeFullHome(home);
    await populate(home);
    const r = await scan({ adapters: WITH_EXAMPLE, env: full.env });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.sources).toContain('example-cli');
    const mine = r.credentials.filter((c) => c.source === 'example-cli');
    expect(mine.map((c) => c.kind).sort()).toEqual(['api_key', 'oauth']);
    const login = mine.find((c) => c.kind === 'oauth');
    expect(login?.keyPage).toBe(EXAMPLE_KEY_PAGE);
    expect(login?.policy).toMatchObject({ stance: 'allowed', asOf: '2026-12-01' });
    expect(login?.refreshMethods.map((m) => m.type)).toEqual([
      'oauth-refresh',
      'cli-login',
      'key-page',
      'paste-key',
    ]);
    expect(login?.refreshMethods.find((m) => m.type === 'cli-login')).toMatchObject({
      command: 'example login',
    });
    expect(login?.expiresAt).toBe(new Date(EXAMPLE.expiresAtMs).toISOString());
    // The others are all still found.
    const hashes = new Set(r.credentials.map((c) => c.hash));
    expect(full.credentials.every((e) => r.credentials.some((c) => c.source === e.source))).toBe(true);
    expect(hashes.size).toBeGreaterThanOrEqual(full.credentials.length);
  });

  it('every per-CLI table derives from it: names, priority, login, key page, policy, gateway facts', () => {
    expect(adapterById('example-cli', WITH_EXAMPLE)).toBe(exampleCliAdapter);
    expect(sourcesForName('example', WITH_EXAMPLE)).toEqual(['example-cli']);
    expect(sourcesForName('example-cli', WITH_EXAMPLE)).toEqual(['example-cli']);
    // What a config schema keyed by source id (with the old short names as aliases) is built from.
    const keys = WITH_EXAMPLE.flatMap((a) => [a.id, ...a.aliases]);
    expect(keys).toEqual(expect.arrayContaining(['example-cli', 'example']));
    const priorities = Object.fromEntries(WITH_EXAMPLE.map((a) => [a.id, a.defaultPriority]));
    expect(priorities['example-cli']).toBe(9);
    expect(keyPageFor(EXAMPLE_PROVIDER, WITH_EXAMPLE)).toBe(EXAMPLE_KEY_PAGE);
    expect(keyPageFor(EXAMPLE_PROVIDER)).toBeNull();
    expect(providerFacts(EXAMPLE_PROVIDER, WITH_EXAMPLE).noGatewayProvider?.reason).toContain('example');
    expect(allProviderIds(WITH_EXAMPLE)).toContain(EXAMPLE_PROVIDER);
    expect(allProviderIds()).not.toContain(EXAMPLE_PROVIDER);
    expect(policyFor(EXAMPLE_PROVIDER, 'oauth', 'example-cli', WITH_EXAMPLE).stance).toBe('allowed');
    expect(refreshMethodsFor('example-cli', EXAMPLE_PROVIDER, 'oauth', false, WITH_EXAMPLE)).toEqual([
      { type: 'cli-login', description: 'Log in again with the CLI.', command: 'example login' },
      {
        type: 'key-page',
        description: 'Create a new API key on the provider’s page.',
        url: EXAMPLE_KEY_PAGE,
      },
      { type: 'paste-key', description: 'Paste an API key to import it by hand.' },
    ]);
    // A pasted key: the candidates come from the adapter, the facts from its folder too.
    const [candidate] = exampleCliAdapter.recognizePasted?.('ex-test-PLACEHOLDER-pasted') ?? [];
    expect(candidate).toBeDefined();
    const pasted = makeCredential(
      {
        ...(candidate as NonNullable<typeof candidate>),
        source: 'example-cli',
        secret: 'ex-test-PLACEHOLDER-pasted',
        origin: { type: 'manual', via: 'test' },
      },
      exampleCliAdapter,
    );
    expect(pasted.keyPage).toBe(EXAMPLE_KEY_PAGE);
  });

  it('its folder reaches no other adapter folder: only generic modules and shared helpers', async () => {
    const dir = import.meta.dirname;
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.ts')) continue;
      const text = await readFile(join(dir, name), 'utf8');
      for (const [, spec] of text.matchAll(/from '(\.[^']*)'/g)) {
        const allowed =
          spec?.startsWith('./') ||
          spec?.startsWith('../_shared/') ||
          spec === '../index.ts' ||
          spec === '../registry.ts' ||
          /^\.\.\/\.\.\/[a-z-]+\.ts$/.test(spec ?? '');
        expect(allowed, `${name} imports ${spec}`).toBe(true);
      }
    }
  });
});
