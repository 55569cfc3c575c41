export type { RedisDriverOptions } from './driver.ts';
export { DEFAULT_KEY_PREFIX, RedisDriver } from './driver.ts';
export type { CopyResult } from './migrate.ts';
export { absorbDelta, copyHistory } from './migrate.ts';
export type { RedisHistoryStoreOptions } from './store.ts';
export { openRedisHistoryStore } from './store.ts';
export type { RedisTarget, RedisTlsOptions } from './url.ts';
export { parseRedisUrl, redactRedisUrl } from './url.ts';
