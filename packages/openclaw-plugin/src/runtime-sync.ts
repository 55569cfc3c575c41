import { createRequire } from 'node:module';

type Runtime = typeof import('./runtime.ts');

const requireHere = createRequire(import.meta.url);
let runtime: Runtime | undefined;

/**
 * The runtime module (runtime.ts), loaded synchronously on first use: for the one host call that
 * cannot wait, `configSchema.safeParse`. Node ≥ 22.12 requires an ES module synchronously, and
 * shares the instance with `import('./runtime.ts')`. The built plugin has it as dist/runtime.js
 * beside the entry (a tsup entry of its own, so the name is fixed); from the sources it is
 * runtime.ts. Both names are string literals, so a host that copies the plugin's files by their
 * imports (OpenClaw captures each plugin's sources) sees the file.
 */
export function runtimeSync(): Runtime {
  runtime ??= (
    import.meta.url.endsWith('.ts') ? requireHere('./runtime.ts') : requireHere('./runtime.js')
  ) as Runtime;
  return runtime;
}
