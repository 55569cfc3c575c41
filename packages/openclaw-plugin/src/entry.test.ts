// The built entry (dist/index.js, as OpenClaw loads it): it loads only what registering needs, and
// its synchronous `configSchema` answers as the zod config schema does. The package must have
// been built (`npm test` builds first), as for packing.test.ts.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseServiceConfig } from '@ctd/service';
import { SPEC_CONFIG_BLOCK } from '@ctd/test-utils';
import { describe, expect, it } from 'vitest';
import { buildManifest } from './manifest-build.ts';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// The spec's block, defaults, a deprecated key, and refusals.
const CONFIGS: unknown[] = [
  SPEC_CONFIG_BLOCK,
  {},
  undefined,
  { cliSources: { kimi: { priority: 9 } }, history: { backend: 'redis', url: 'redis://127.0.0.1:6379' } },
  { rotationStrategy: 'fastest' },
  { history: { backend: 'redis' } },
  { cliSources: { 'codex-cli': { priority: -1, extra: true } } },
  { scanOnStartup: 'yes', unknownKey: 1 },
  [],
];

// Run in a child process: a fresh module graph, and a load hook that lists the files it loads.
const PROBE = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { if (url.includes('/dist/')) loaded.push(url.replace(/^.*\\/dist\\//, '')); return next(url, context); } });
let compiled = 0;
globalThis.Function = new Proxy(Function, { construct(target, args) { compiled++; return Reflect.construct(target, args); } });
const { default: plugin } = await import(process.argv[1]);
const atLoad = [...loaded];
const results = JSON.parse(process.argv[2]).map((c) => plugin.configSchema.safeParse(c === null ? undefined : c));
process.stdout.write(JSON.stringify({ atLoad, afterParse: loaded, results, description: plugin.description, jsonSchema: plugin.configSchema.jsonSchema, compiled, sharedZodConfig: '__zod_globalConfig' in globalThis }));
`;

async function probe(): Promise<{
  atLoad: string[];
  afterParse: string[];
  results: { success: boolean; data?: unknown; error?: { issues: { path: string[]; message: string }[] } }[];
  description: string;
  jsonSchema: unknown;
  compiled: number;
  sharedZodConfig: boolean;
}> {
  const args = ['--input-type=module', '-e', PROBE, ENTRY, JSON.stringify(CONFIGS.map((c) => c ?? null))];
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 60_000 });
  return JSON.parse(stdout);
}

describe('the built entry', () => {
  it('loads neither the runtime (scanners, service, zod) nor the manifest builder until a config is parsed', async () => {
    const r = await probe();
    expect(r.atLoad[0]).toBe('index.js');
    expect(r.atLoad).not.toContain('runtime.js');
    // The runtime's code is not in the entry's chunks either (zod's error map, the adapters' names).
    expect(r.atLoad.length).toBeLessThan(r.afterParse.length);
    expect(r.afterParse).toContain('runtime.js');
  });

  it('answers configSchema.safeParse as the zod config schema does, and states its JSON Schema and description', async () => {
    const r = await probe();
    const manifest = buildManifest();
    expect(r.jsonSchema).toEqual(manifest.configSchema);
    expect(r.description).toBe(manifest.description);
    expect(r.results[0]?.success).toBe(true); // the spec's block, verbatim
    CONFIGS.forEach((config, i) => {
      const want = parseServiceConfig(config);
      // JSON round trip: the child's answer came as JSON.
      const expected = JSON.parse(
        JSON.stringify(
          want.ok
            ? { success: true, data: want.value }
            : { success: false, error: { issues: want.issues.map((message) => ({ path: [], message })) } },
        ),
      );
      expect(r.results[i], JSON.stringify(config)).toEqual(expected);
    });
    expect(r.results.filter((x) => !x.success)).toHaveLength(5);
  });

  it("parses with its own zod config, jitless: no parser compiled per object schema, the host's zod config untouched", async () => {
    const r = await probe();
    expect(r.results[0]?.success).toBe(true);
    expect(r.compiled).toBe(0);
    expect(r.sharedZodConfig).toBe(false);
  });
});
