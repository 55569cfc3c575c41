export type { RefreshHttpResult, SendOptions } from './http.ts';
export { sendRefreshRequest } from './http.ts';
export type { DeadRefreshToken, JournalEntry, PendingRefresh } from './journal.ts';
export { RefreshJournal } from './journal.ts';
export type { RefreshEventType } from './refresher.ts';
export {
  DEFAULT_REFRESH_ATTEMPTS,
  DEFAULT_REFRESH_DEADLINE_MS,
  DEFAULT_REFRESH_MAX_BODY_BYTES,
  DEFAULT_REFRESH_TIMEOUT_MS,
  REFRESH_STATE_DIR_NAME,
  RefreshEvent,
  Refresher,
  refreshCredential,
} from './refresher.ts';
export type { RefreshSchedulerOptions, ScheduledRefresh } from './scheduler.ts';
export { RefreshScheduler } from './scheduler.ts';
export type {
  RefresherHooks,
  RefresherOptions,
  RefreshOptions,
  RefreshOutcome,
  RefreshResult,
  RefreshStatus,
  RetryPolicy,
} from './types.ts';
export { REFRESH_STATUSES } from './types.ts';
