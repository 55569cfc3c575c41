import { createHistoryStore, type DriverHistoryStore, type HistoryStoreOptions } from '@ctd/history';
import { RedisDriver, type RedisDriverOptions } from './driver.ts';

/** Options of {@link openRedisHistoryStore}. */
export interface RedisHistoryStoreOptions
  extends RedisDriverOptions,
    Omit<HistoryStoreOptions, 'flushIntervalMs' | 'flushOnExit'> {
  /**
   * How often pending changes are flushed (and other gateways' changes picked up), in ms; 0 turns
   * the timer off. While Redis is unreachable, changes stay in memory (one delta per credential,
   * however many events) and go out with the first flush after it is back.
   * @default 1000
   */
  flushIntervalMs?: number | undefined;
}

/**
 * Opens the usage history on Redis: the same store as the file's (`@ctd/history`) over the Redis
 * driver, so the rotator and the service use it unchanged, and `acquireShared` decides on the
 * server. Fails with `BACKEND_UNAVAILABLE` when Redis cannot be reached at start (the message
 * names the URL without its password).
 *
 * @param options - url (or client), key prefix, flush interval
 * @example
 * const store = await openRedisHistoryStore({ url: 'rediss://ctd@redis.internal:6380/0', password });
 * const rotator = createRotator({ store, strategy: 'least-used' });
 */
export async function openRedisHistoryStore(options: RedisHistoryStoreOptions): Promise<DriverHistoryStore> {
  const driver = new RedisDriver(options);
  try {
    return await createHistoryStore(driver, {
      ...options,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      // No synchronous write at exit exists for a network store: close() flushes.
      flushOnExit: false,
    });
  } catch (error) {
    await driver.close().catch(() => {});
    throw error;
  }
}
