// Type-only barrel of the typed events, for listeners (`import type { CtdImportedEvent } …`).
export type { CtdImportedEvent } from './events/imported.ts';
export type { CtdModalCloseEvent } from './events/modal-close.ts';
export type { CtdRefreshRequestedEvent } from './events/refresh-requested.ts';
export type { CtdRefreshedEvent } from './events/refreshed.ts';
export type { CtdRetryEvent } from './events/retry.ts';
export type { CtdScanCompleteEvent } from './events/scan-complete.ts';
export type { CtdSettingsSavedEvent } from './events/settings-saved.ts';
