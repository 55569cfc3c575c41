import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExitCode, escapeControlChars } from '@ctd/core';
import {
  FileDriver,
  type HistoryDriver,
  type HistoryEntry,
  type HistoryStore,
  openHistoryStore,
  resolveHistoryPath,
} from '@ctd/history';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, usageError } from '../io.ts';
import { printNotice } from '../service.ts';
import type { Command } from './types.ts';

// The Redis client is loaded only by this command (and only for a Redis end): every other command
// starts without it.
const loadRedis = () => import('@ctd/history-redis');
const DEFAULT_KEY_PREFIX = 'ctd:{history}:';

const HELP = `Usage: ctd history migrate [--to <redis-url|file>] [--from <file|redis-url>]

Copy the usage history between the history file and Redis, for several gateways sharing one pool
(hashes, counts, statuses and cooldowns: never secrets). Safe to run again: counts the target
already holds are never added twice, and a target that gateways kept using keeps what it has.

Options:
  --to <url|path>    where to copy to: redis://… or rediss://… (TLS), or a history file
                     (default: $CTD_HISTORY_URL)
  --from <path|url>  where to copy from (default: the history file, see \`ctd help history\`)
  --key-prefix <p>   prefix of the Redis keys (default: $CTD_HISTORY_KEY_PREFIX, else ${DEFAULT_KEY_PREFIX})
  -h, --help         show this help

The Redis password goes in the URL (redis://user:password@host:6379/0) or, better, in
$CTD_REDIS_PASSWORD. It is never printed.

Exit codes: 0 ok, 1 a history or Redis could not be used, 2 bad usage.`;

const isRedis = (target: string) => /^rediss?:\/\//i.test(target);

interface Endpoints {
  keyPrefix: string;
  password: string | undefined;
}

async function readSource(io: CliIo, from: string, e: Endpoints): Promise<HistoryEntry[]> {
  let store: HistoryStore;
  if (isRedis(from)) {
    const { openRedisHistoryStore } = await loadRedis();
    store = await openRedisHistoryStore({
      url: from,
      keyPrefix: e.keyPrefix,
      password: e.password,
      readOnly: true,
      flushIntervalMs: 0,
    });
  } else {
    store = await openHistoryStore({
      file: from,
      env: io.env,
      readOnly: true,
      flushIntervalMs: 0,
      onNotice: (n) => printNotice(io, 'history migrate', n),
    });
  }
  try {
    return store.list();
  } finally {
    await store.close();
  }
}

async function openTarget(io: CliIo, to: string, e: Endpoints): Promise<HistoryDriver> {
  if (isRedis(to)) {
    const { RedisDriver } = await loadRedis();
    const driver = new RedisDriver({ url: to, keyPrefix: e.keyPrefix, password: e.password });
    await driver.open(() => {});
    return driver;
  }
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  const driver = new FileDriver(to);
  await driver.open((n) => printNotice(io, 'history migrate', { ...n, at: Date.now() }));
  return driver;
}

/** `ctd history migrate`: copies the history between the file and Redis, idempotently. */
export const historyMigrateCommand: Command = {
  name: 'history migrate',
  summary: 'copy the history between the file and Redis (several gateways, one pool)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      to: { type: 'string' },
      from: { type: 'string' },
      'key-prefix': { type: 'string' },
      file: { type: 'string' },
    });
    const env = io.env;
    const to = values.to ?? env.CTD_HISTORY_URL;
    if (!to) throw usageError('say where to copy to: --to redis://host:6379/0 (or set $CTD_HISTORY_URL)');
    const from = values.from ?? resolveHistoryPath({ file: values.file, env });
    const target = isRedis(to) ? to : resolveHistoryPath({ file: to, env });
    if (from === target) throw usageError('--from and --to name the same history');
    const endpoints: Endpoints = {
      keyPrefix: values['key-prefix'] ?? env.CTD_HISTORY_KEY_PREFIX ?? DEFAULT_KEY_PREFIX,
      password: env.CTD_REDIS_PASSWORD || undefined,
    };
    const entries = await readSource(io, from, endpoints);
    const driver = await openTarget(io, target, endpoints);
    try {
      const { copyHistory } = await loadRedis();
      const { copied, unchanged } = await copyHistory(entries, driver);
      const plural = (n: number) => `${n} credential${n === 1 ? '' : 's'}`;
      io.stdout.write(
        `Copied ${plural(copied)} to ${escapeControlChars(driver.location)}${unchanged ? ` (${plural(unchanged)} already there)` : ''}.\n`,
      );
    } finally {
      await driver.close?.();
    }
    return ExitCode.OK;
  },
};
