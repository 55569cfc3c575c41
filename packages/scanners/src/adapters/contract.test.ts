// The shared contract every adapter passes: empty homes, the full home, and every kind of bad input.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sha256Hex } from '@ctd/core/node';
import { createTempHome, type TempHome, writeFullHome } from '@ctd/test-utils';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScanContext } from '../context.ts';
import { scan, toScanReport } from '../scan.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';
import { ALL_ADAPTERS } from './index.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const isRoot = process.getuid?.() === 0;

type Corruption = { name: string; code: string | RegExp; write: (path: string) => Promise<void> };
const CANARY = 'sk-test-CANARY-never-in-output-9f8e7d6c5b4a';

const corruptions = (file: StoreFile): Corruption[] => {
  const text = (s: string | Buffer) => async (p: string) => {
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, s, { mode: 0o600 });
  };
  const list: Corruption[] = [
    { name: 'binary garbage', code: 'NOT_TEXT', write: text(Buffer.from([0, 159, 146, 150, 0, 255, 1, 2])) },
    {
      name: 'invalid UTF-8',
      code: /NOT_TEXT|DECRYPT_FAILED/,
      write: text(Buffer.from([0xc3, 0x28, 0x41, 0xff])),
    },
    {
      name: 'a directory',
      code: 'NOT_A_FILE',
      write: async (p) => {
        await mkdir(p, { recursive: true });
      },
    },
    {
      name: 'over the size cap',
      code: 'FILE_TOO_LARGE',
      write: text(' '.repeat((file.maxBytes ?? 1024 * 1024) + 1024)),
    },
    {
      name: 'a symlink loop',
      code: 'SYMLINK_LOOP',
      write: async (p) => {
        const { symlink } = await import('node:fs/promises');
        await mkdir(dirname(p), { recursive: true });
        await symlink(p, p);
      },
    },
  ];
  if (!isRoot) {
    list.push({
      name: 'unreadable',
      code: 'FILE_UNREADABLE',
      write: async (p) => {
        await text('{}')(p);
        await chmod(p, 0o000);
      },
    });
  }
  if (file.format === 'json') {
    list.push(
      { name: 'truncated JSON', code: 'INVALID_JSON', write: text(`{"key": "${CANARY}", "tokens": {`) },
      { name: 'not JSON', code: 'INVALID_JSON', write: text(`api_key = ${CANARY}\n`) },
      { name: 'wrong top-level type', code: 'INVALID_SHAPE', write: text(`["${CANARY}"]`) },
    );
  }
  if (file.format === 'toml') {
    list.push({
      name: 'TOML syntax error',
      code: 'INVALID_TOML',
      write: text(`[providers.x\napi_key = "${CANARY}"\n`),
    });
  }
  return list;
};

describe.each(ALL_ADAPTERS.map((a) => [a.id, a] as const))(
  'adapter contract: %s',
  (_id, adapter: SourceAdapter) => {
    it('finds nothing and reports nothing in an empty home', async () => {
      const r = await scan({ adapters: [adapter], env: home.env });
      expect(r.credentials).toEqual([]);
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    });

    it('lists its files under the home, honouring HOME', () => {
      const ctx = createScanContext({ env: home.env });
      for (const f of adapter.files(ctx)) {
        if (f.path.startsWith('/etc/')) continue;
        expect(f.path.startsWith(home.path)).toBe(true);
      }
    });

    it('turns each kind of bad file into one issue with its path, and keeps scanning the others', async () => {
      const fileCount = adapter.files(createScanContext({ env: home.env })).length;
      for (let index = 0; index < fileCount; index++) {
        const kinds = corruptions(adapter.files(createScanContext({ env: home.env }))[index]!);
        for (const c of kinds) {
          const file = adapter.files(createScanContext({ env: home.env }))[index]!;
          const full = await writeFullHome(home);
          await rm(file.path, { recursive: true, force: true });
          await c.write(file.path);
          const r = await scan({ env: full.env });
          const mine = r.issues.filter((i) => i.path === file.path);
          expect(mine, `${file.path}: ${c.name}`).toHaveLength(1);
          expect(mine[0]!.code, `${file.path}: ${c.name}`).toMatch(c.code);
          expect(JSON.stringify(r.issues)).not.toContain(CANARY);
          // Every other source is still scanned: credentials of other adapters are all there.
          const others = full.credentials.filter((e) => e.source !== adapter.id);
          const hashes = new Set(r.credentials.map((x) => x.hash));
          for (const e of others)
            expect(hashes.has(sha256Hex(e.secret)), `${e.source} after ${c.name}`).toBe(true);
          await chmod(file.path, 0o600).catch(() => {});
          await home.cleanup();
          home = await createTempHome();
        }
      }
    });

    it('never throws and never echoes content, whatever bytes its files hold (property)', async () => {
      const ctx = createScanContext({ env: home.env });
      const files = adapter.files(ctx);
      if (files.length === 0) return;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
              fc.json().map((j) => Buffer.from(j)),
              fc.string().map((s) => Buffer.from(`${s}${CANARY}`)),
              fc.constantFrom(Buffer.from('\ufeff{"a":1}\r\n'), Buffer.from(`x = "${CANARY}"\r\n`)),
            ),
            { minLength: files.length, maxLength: files.length },
          ),
          async (contents) => {
            for (const [i, f] of files.entries()) {
              await mkdir(dirname(f.path), { recursive: true });
              await writeFile(f.path, contents[i]!);
            }
            const r = await scan({ adapters: [adapter], env: home.env });
            for (const issue of r.issues) {
              expect(issue.message).not.toContain(CANARY);
              expect(
                issue.path === '' ||
                  files.some((f) => f.path === issue.path) ||
                  issue.path.startsWith(home.path),
              ).toBe(true);
            }
            expect(r.issues.every((i) => i.code !== 'ADAPTER_FAILED')).toBe(true);
          },
        ),
        { numRuns: 25 },
      );
    });
  },
);

describe('full home', () => {
  it('finds every fixture credential and serializes no secret', async () => {
    const full = await writeFullHome(home);
    const r = await scan({ env: full.env });
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const hashes = new Set(r.credentials.map((c) => c.hash));
    for (const e of full.credentials)
      expect(hashes.has(sha256Hex(e.secret)), `${e.source} ${e.kind}`).toBe(true);
    const json = JSON.stringify(toScanReport(r, true));
    for (const e of full.credentials) expect(json).not.toContain(e.secret);
    for (const c of r.credentials) {
      if (c.refreshSecret) expect(json).not.toContain(c.refreshSecret.reveal());
      expect(JSON.stringify(c)).not.toContain(c.secret.reveal());
    }
  });
});
