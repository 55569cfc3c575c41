// The public option types must work for a consumer that compiles with
// `exactOptionalPropertyTypes`: such a consumer often forwards its own optional settings
// (`{ timeoutMs: opts.timeoutMs }`, a `number | undefined`), which only type-checks when the
// option is declared `timeoutMs?: number | undefined`. Each check below fails to compile, naming
// the offending properties, when an option rejects an explicit `undefined`.
import type { CtdErrorOptions } from '@ctd/core';
import type {
  FileDriverOptions,
  FileHistoryStoreOptions,
  FileLockOptions,
  HistoryPathOptions,
  HistoryStoreOptions,
  MemoryHistoryStoreOptions,
} from '@ctd/history';
import type { RedisDriverOptions, RedisHistoryStoreOptions, RedisTlsOptions } from '@ctd/history-redis';
import type {
  CredentialWatcherOptions,
  ExpiryMonitorOptions,
  LoginCommandOptions,
  OpenInBrowserOptions,
  RefresherOptions,
  RefreshOptions,
  RefreshSchedulerOptions,
  RetryPolicy,
  SendOptions,
} from '@ctd/refresher';
import type { AcquireRequest, classifyResponse, RotatorOptions } from '@ctd/rotator';
import type { ScanContextOptions, ScanOptions } from '@ctd/scanners';
import type { ValidateOptions } from '@ctd/scanners/validate';
import type {
  ClearHistoryInput,
  GetHistoryInput,
  ImportManualInput,
  RefreshInput,
  ScanInput,
  ServiceConfigInput,
  TokenDiscoveryServiceOptions,
} from '@ctd/service';
import type { TokenDiscoveryControllerOptions } from '@ctd/ui-lit';

/** The optional keys of T. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/**
 * The optional keys of T that refuse an explicit `undefined`. Under exactOptionalPropertyTypes,
 * `Required<T>[K]` keeps `undefined` only when the declaration spells it out.
 */
type RefusingUndefined<T> = {
  [K in OptionalKeys<T>]-?: undefined extends Required<T>[K] ? never : K;
}[OptionalKeys<T>];
/** `true` when every optional property of T takes `undefined`; else names the ones that do not. */
type TakesUndefined<T> = [RefusingUndefined<T>] extends [never]
  ? true
  : { [K in RefusingUndefined<T>]: 'declare it ?: T | undefined' };

export const checks: {
  ctdError: TakesUndefined<CtdErrorOptions>;
  scan: TakesUndefined<ScanOptions>;
  scanContext: TakesUndefined<ScanContextOptions>;
  validate: TakesUndefined<ValidateOptions>;
  fileHistoryStore: TakesUndefined<FileHistoryStoreOptions>;
  fileLock: TakesUndefined<FileLockOptions>;
  fileDriver: TakesUndefined<FileDriverOptions>;
  historyStore: TakesUndefined<HistoryStoreOptions>;
  historyPath: TakesUndefined<HistoryPathOptions>;
  memoryHistoryStore: TakesUndefined<MemoryHistoryStoreOptions>;
  rotator: TakesUndefined<RotatorOptions>;
  acquire: TakesUndefined<AcquireRequest>;
  refresher: TakesUndefined<RefresherOptions>;
  refresh: TakesUndefined<RefreshOptions>;
  refreshRetry: TakesUndefined<RetryPolicy>;
  refreshScheduler: TakesUndefined<RefreshSchedulerOptions>;
  expiryMonitor: TakesUndefined<ExpiryMonitorOptions>;
  credentialWatcher: TakesUndefined<CredentialWatcherOptions>;
  loginCommand: TakesUndefined<LoginCommandOptions>;
  openInBrowser: TakesUndefined<OpenInBrowserOptions>;
  refreshSend: TakesUndefined<SendOptions>;
  redisDriver: TakesUndefined<RedisDriverOptions>;
  redisHistoryStore: TakesUndefined<RedisHistoryStoreOptions>;
  redisTls: TakesUndefined<RedisTlsOptions>;
  uiController: TakesUndefined<TokenDiscoveryControllerOptions>;
  classifyResponse: TakesUndefined<NonNullable<Parameters<typeof classifyResponse>[2]>>;
  service: TakesUndefined<TokenDiscoveryServiceOptions>;
  serviceConfig: TakesUndefined<ServiceConfigInput>;
  cliSource: TakesUndefined<NonNullable<ServiceConfigInput['cliSources']>[string]>;
  scanInput: TakesUndefined<ScanInput>;
  getHistoryInput: TakesUndefined<GetHistoryInput>;
  clearHistoryInput: TakesUndefined<ClearHistoryInput>;
  refreshInput: TakesUndefined<RefreshInput>;
  importManualInput: TakesUndefined<ImportManualInput>;
} = {
  ctdError: true,
  scan: true,
  scanContext: true,
  validate: true,
  fileHistoryStore: true,
  fileLock: true,
  fileDriver: true,
  historyStore: true,
  historyPath: true,
  memoryHistoryStore: true,
  rotator: true,
  acquire: true,
  refresher: true,
  refresh: true,
  refreshRetry: true,
  refreshScheduler: true,
  expiryMonitor: true,
  credentialWatcher: true,
  loginCommand: true,
  openInBrowser: true,
  refreshSend: true,
  redisDriver: true,
  redisHistoryStore: true,
  redisTls: true,
  uiController: true,
  classifyResponse: true,
  service: true,
  serviceConfig: true,
  cliSource: true,
  scanInput: true,
  getHistoryInput: true,
  clearHistoryInput: true,
  refreshInput: true,
  importManualInput: true,
};

// The pattern the checks stand for, written out once: forwarding optional settings as they are.
export function forward(
  scan: (options?: ScanOptions) => unknown,
  mine: { home?: string | undefined; env?: NodeJS.ProcessEnv | undefined },
): unknown {
  return scan({ home: mine.home, env: mine.env });
}
