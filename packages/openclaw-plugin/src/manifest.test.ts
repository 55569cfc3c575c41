import { readFileSync } from 'node:fs';
import { parseServiceConfig } from '@ctd/service';
import { describe, expect, it } from 'vitest';
import { CLI_COMMAND, PLUGIN_ID } from './manifest.ts';
import { buildManifest } from './manifest-build.ts';

const committed = JSON.parse(readFileSync(new URL('../openclaw.plugin.json', import.meta.url), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('openclaw.plugin.json', () => {
  it('is in step with the zod config schema (regenerate with the package build)', () => {
    expect(committed).toEqual(buildManifest());
  });

  it('has the id, startup activation and CLI command OpenClaw needs', () => {
    expect(committed.id).toBe(PLUGIN_ID);
    expect(committed.activation).toEqual({ onStartup: true });
    expect(committed.cliCommands).toEqual([
      expect.objectContaining({ name: CLI_COMMAND, hasSubcommands: true }),
    ]);
    expect(pkg.openclaw.extensions).toEqual(['./dist/index.js']);
  });

  it('documents every config field with its default, matching the zod defaults', () => {
    const schema = committed.configSchema;
    const defaults = parseServiceConfig({});
    if (!defaults.ok) throw new Error('defaults must parse');
    expect(schema.additionalProperties).toBe(false);
    for (const key of ['scanOnStartup', 'autoImport', 'validateTokens', 'rotationStrategy', 'cliSources']) {
      expect(schema.properties[key], key).toBeDefined();
    }
    expect(schema.properties.rotationStrategy.enum).toEqual([
      'round-robin',
      'least-used',
      'priority',
      'health-based',
    ]);
    expect(schema.properties.rotationStrategy.default).toBe('round-robin');
    const kimi = schema.properties.cliSources.properties['kimi-cli'].properties;
    expect(kimi.priority.default).toBe(1);
    expect(schema.properties.cliSources.properties['gemini-cli'].properties.priority.default).toBe(4);
    expect(defaults.value.cliSources['codex-cli']?.priority).toBe(2);
    expect(committed.uiHints.rotationStrategy.label).toBeTruthy();
  });

  it('has no runtime dependencies to install: everything but the host is bundled', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies).toEqual({ openclaw: expect.any(String) });
  });
});
