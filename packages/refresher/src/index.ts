export type {
  ExpiryAlert,
  ExpiryAssessment,
  ExpiryInput,
  ExpiryMonitorOptions,
  ExpiryState,
} from './expiry/expiry.ts';
export { assessExpiry, DEFAULT_EXPIRY_WARNING_MS, EXPIRY_STATES, ExpiryMonitor } from './expiry/expiry.ts';
export type { RefreshHttpResult, SendOptions } from './http.ts';
export { sendRefreshRequest } from './http.ts';
export type { DeadRefreshToken, JournalEntry, PendingRefresh } from './journal.ts';
export { RefreshJournal } from './journal.ts';
export type { OpenInBrowserOptions } from './methods/browser.ts';
export { canOpenBrowser, openInBrowser } from './methods/browser.ts';
export type { ReloginMethodType } from './methods/plan.ts';
export { commandArgv, isInteractiveCommand, RELOGIN_METHOD_TYPES, reloginMethods } from './methods/plan.ts';
export type {
  LoginCommandOptions,
  LoginCommandResult,
  MethodProgress,
  RunningLogin,
} from './methods/run.ts';
export { cleanLine, DEFAULT_LOGIN_TIMEOUT_MS, findLoginPage, startLoginCommand } from './methods/run.ts';
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
export type { CredentialWatcherOptions, StoreChange } from './watch/watcher.ts';
export { CredentialWatcher, DEFAULT_WATCH_DEBOUNCE_MS } from './watch/watcher.ts';
