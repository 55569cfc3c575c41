// Runs every benchmark file (packages/*/bench/*.bench.ts, apps/*/bench/*.bench.ts) in its own
// Node process with the workspace source condition, one after another, so numbers don't compete.
// Run it through `npm run bench`, which provisions Node >= 22.12 first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const filter = process.argv.slice(2);
const files = [];
for (const group of ['packages', 'apps']) {
  for (const pkg of readdirSync(join(root, group))) {
    const dir = join(root, group, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.bench.ts')) files.push(join(dir, f));
    }
  }
}
let failed = 0;
for (const file of files) {
  const rel = relative(root, file);
  if (filter.length && !filter.some((f) => rel.includes(f))) continue;
  process.stdout.write(`\n=== ${rel}\n`);
  const r = spawnSync(process.execPath, ['--conditions=@ctd/source', '--no-warnings', file], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`!!! ${rel} exited with ${r.status}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
