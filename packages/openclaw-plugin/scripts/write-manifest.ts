// Writes openclaw.plugin.json from the zod config schema, so the two never drift apart
// (src/manifest.test.ts checks the committed file against a fresh build).
import { writeFileSync } from 'node:fs';
import { buildManifest } from '../src/manifest-build.ts';

const target = new URL('../openclaw.plugin.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildManifest(), null, 2)}\n`);
