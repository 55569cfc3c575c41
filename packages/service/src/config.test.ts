import { STRATEGIES } from '@ctd/rotator';
import { SPEC_CONFIG_BLOCK } from '@ctd/test-utils';
import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from './config.ts';

// The block from the project's spec, as a user would paste it (JSON5 comments aside).
const SPEC_BLOCK = SPEC_CONFIG_BLOCK;

describe('service configuration', () => {
  it("accepts the spec's block verbatim, with no warning", () => {
    const r = parseServiceConfig(SPEC_BLOCK);
    expect(r.ok && r.warnings).toEqual([]);
    if (!r.ok) throw new Error(r.issues.join('; '));
    expect(r.value.cliSources['qwen-cli']).toEqual({ enabled: true, priority: 3, importLogins: false });
    // Sources the block does not name keep their defaults.
    expect(r.value.cliSources['claude-code']).toEqual({ enabled: true, priority: 5, importLogins: false });
    expect(r.value.cliSources.environment?.priority).toBe(7);
  });

  it('accepts every source id as a key', () => {
    const ids = [
      'kimi-cli',
      'kimi-code',
      'codex-cli',
      'qwen-cli',
      'gemini-cli',
      'claude-code',
      'opencode',
      'environment',
    ];
    const r = parseServiceConfig({
      cliSources: Object.fromEntries(ids.map((id) => [id, { enabled: false }])),
    });
    if (!r.ok) throw new Error(r.issues.join('; '));
    for (const id of ids) expect(r.value.cliSources[id]?.enabled, id).toBe(false);
  });

  it('keeps the short keys of 0.1 as deprecated aliases of the sources they stood for', () => {
    const r = parseServiceConfig({
      cliSources: { kimi: { enabled: false, priority: 9 }, env: { importLogins: true } },
    });
    if (!r.ok) throw new Error(r.issues.join('; '));
    expect(r.value.cliSources['kimi-cli']).toEqual({ enabled: false, priority: 9, importLogins: false });
    expect(r.value.cliSources['kimi-code']).toEqual({ enabled: false, priority: 9, importLogins: false });
    expect(r.value.cliSources.environment?.importLogins).toBe(true);
    expect(Object.keys(r.value.cliSources)).not.toContain('kimi');
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /cliSources\.kimi is deprecated: use cliSources\["kimi-cli"\] and cliSources\["kimi-code"\]/,
      ),
      expect.stringMatching(/cliSources\.env is deprecated: use cliSources\["environment"\]/),
    ]);
  });

  it('lets a value under the source id win over its short key', () => {
    const r = parseServiceConfig({
      cliSources: { codex: { priority: 8, enabled: false }, 'codex-cli': { priority: 1 } },
    });
    if (!r.ok) throw new Error(r.issues.join('; '));
    expect(r.value.cliSources['codex-cli']).toEqual({ enabled: false, priority: 1, importLogins: false });
  });

  it('rejects unknown keys and bad values, naming the path', () => {
    const unknown = parseServiceConfig({ cliSources: { 'nope-cli': { enabled: true } } });
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.issues.join('\n')).toMatch(/cliSources.*nope-cli/);
    const bad = parseServiceConfig({ cliSources: { 'codex-cli': { priority: -1 } } });
    expect(!bad.ok && bad.issues.join('\n')).toMatch(/cliSources\.codex-cli\.priority/);
    expect(parseServiceConfig({ rotationStrategy: 'random' }).ok).toBe(false);
  });

  it("accepts exactly the rotator's strategies (named in both packages: the rotator loads only for a rotation)", () => {
    for (const rotationStrategy of STRATEGIES) {
      const r = parseServiceConfig({ rotationStrategy });
      expect(r.ok && r.value.rotationStrategy).toBe(rotationStrategy);
    }
    const r = parseServiceConfig({ rotationStrategy: 'random' });
    for (const s of STRATEGIES) expect(!r.ok && r.issues.join('\n')).toContain(s);
  });
});
