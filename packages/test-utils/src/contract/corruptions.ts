import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ContractStoreFile } from './types.ts';

/** A secret-shaped marker written into broken files: it must never show up in an issue. */
export const CANARY = 'sk-test-CANARY-never-in-output-9f8e7d6c5b4a';

/** One way a store file can be broken, and the issue code it must give. */
export interface Corruption {
  readonly name: string;
  readonly code: string | RegExp;
  write(path: string): Promise<void>;
}

/** Default size cap of a scan (`DEFAULT_MAX_FILE_BYTES` of `@ctd/scanners`). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

const isRoot = process.getuid?.() === 0;

/**
 * Every kind of bad input a store file of this format can be: bytes that are not text, a
 * directory, a file over the size cap, a symlink loop, an unreadable file (unless running as
 * root, which reads anything), and the format's own syntax and shape errors.
 *
 * @param file - the store file
 */
export function corruptionsOf(file: ContractStoreFile): Corruption[] {
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
      write: text(' '.repeat((file.maxBytes ?? DEFAULT_MAX_FILE_BYTES) + 1024)),
    },
    {
      name: 'a symlink loop',
      code: 'SYMLINK_LOOP',
      write: async (p) => {
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
}
