// Adding a CLI is one folder and one line in the adapter list: this test adds the test-only
// example-cli adapter to the list and checks that the service derives every per-CLI fact from it
// (config key and alias, priority, import decision, status, re-login methods, pasted keys).
import { createMemoryHistoryStore } from '@ctd/history';
import { ALL_ADAPTERS } from '@ctd/scanners';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE, populate } from '../../scanners/src/adapters/example-cli/fixture.ts';
import {
  EXAMPLE_KEY_PAGE,
  EXAMPLE_PROVIDER,
  exampleCliAdapter,
} from '../../scanners/src/adapters/example-cli/index.ts';
import { parseServiceConfig } from './config.ts';
import type { ImportAction } from './import-plan.ts';
import { type CredentialImporter, createTokenDiscoveryService } from './service.ts';

const adapters = [...ALL_ADAPTERS, exampleCliAdapter];

class RecordingImporter implements CredentialImporter {
  readonly applied: ImportAction[] = [];
  async hostFacts() {
    return { availableProviders: new Set([EXAMPLE_PROVIDER]) };
  }
  async apply(action: ImportAction) {
    this.applied.push(action);
    return 'imported' as const;
  }
}

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(async () => {
  await home.cleanup();
});

describe('a CLI added to the adapter list', () => {
  it('gets a config key, its alias and its default priority', () => {
    const r = parseServiceConfig({ cliSources: { example: { enabled: false } } }, adapters);
    if (!r.ok) throw new Error(r.issues.join('; '));
    expect(r.value.cliSources['example-cli']).toEqual({ enabled: false, priority: 9, importLogins: false });
    expect(r.warnings).toEqual([expect.stringContaining('cliSources["example-cli"]')]);
    // The built-in list does not know it.
    expect(parseServiceConfig({ cliSources: { 'example-cli': {} } }).ok).toBe(false);
  });

  it('is scanned, judged for import, listed by status and offered its own re-login methods', async () => {
    await populate(home);
    const importer = new RecordingImporter();
    const service = createTokenDiscoveryService({
      adapters,
      config: { cliSources: { 'example-cli': { priority: 0 } } },
      env: home.env,
      history: createMemoryHistoryStore(),
      importer,
    });
    const out = await service.scan({ sources: ['example-cli'], validate: false });
    expect(out.credentials.map((c) => [c.source, c.provider, c.kind])).toEqual([
      ['example-cli', EXAMPLE_PROVIDER, 'api_key'],
      ['example-cli', EXAMPLE_PROVIDER, 'oauth'],
    ]);
    // The adapter's own provider facts decide the import (its provider has no gateway provider).
    expect(out.credentials[0]?.import).toMatchObject({
      status: 'skipped',
      code: 'no-provider',
      reason: 'no gateway knows the example provider',
    });
    expect(importer.applied).toEqual([]);

    const status = await service.status();
    expect(status.credentials.filter((c) => c.source === 'example-cli')).toHaveLength(2);

    const refresh = await service.refreshToken({ target: 'example' });
    expect(refresh.methods).toContainEqual(
      expect.objectContaining({ type: 'key-page', url: EXAMPLE_KEY_PAGE }),
    );
    expect(refresh.methods).toContainEqual(
      expect.objectContaining({ type: 'cli-login', command: 'example login' }),
    );

    const pasted = await service.importManual({
      cli: 'example',
      token: 'ex-test-PLACEHOLDER-pasted-key-3333',
    });
    expect(pasted.credential).toMatchObject({
      source: 'example-cli',
      provider: EXAMPLE_PROVIDER,
      kind: 'api_key',
    });
    expect(JSON.stringify([out, status, refresh, pasted])).not.toContain(EXAMPLE.apiKey);
    await service.close();
  });
});
