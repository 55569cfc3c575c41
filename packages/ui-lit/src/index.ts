export { CtdRefreshModal } from './components/refresh-modal/refresh-modal.ts';
export { CtdScanButton } from './components/scan-button/scan-button.ts';
export { CtdSettingsForm } from './components/settings-form/settings-form.ts';
export { CtdStatusBadge } from './components/status-badge/status-badge.ts';
export { CtdTokenDiscovery } from './components/token-discovery/token-discovery.ts';
export type { TokenPanelSortKey } from './components/token-panel/token-panel.ts';
export { CtdTokenPanel } from './components/token-panel/token-panel.ts';
export { CtdUsageChart } from './components/usage-chart/usage-chart.ts';
export { tokenDiscoveryClientContext } from './context.ts';
export type { TokenDiscoveryControllerOptions } from './controller.ts';
export { TokenDiscoveryController } from './controller.ts';
export { CtdImportedEvent } from './events/imported.ts';
export { CtdModalCloseEvent } from './events/modal-close.ts';
export { CtdRefreshRequestedEvent } from './events/refresh-requested.ts';
export { CtdRefreshedEvent } from './events/refreshed.ts';
export { CtdRetryEvent } from './events/retry.ts';
export { CtdScanCompleteEvent } from './events/scan-complete.ts';
export { CtdSettingsSavedEvent } from './events/settings-saved.ts';
export type { HttpClientOptions } from './http-client.ts';
export { createHttpClient, HttpClientError } from './http-client.ts';
export type { ShownError } from './internal/errors.ts';
export { toShownError } from './internal/errors.ts';
export type { BadgeKind } from './internal/format.ts';
export { badgeOf, EXPIRING_WITHIN_MS } from './internal/format.ts';
export type {
  DashboardClient,
  RefreshProgress,
  RefreshRunner,
  RunRefreshInput,
  SettingsClient,
  SettingsSnapshot,
  SettingsValue,
  SourceInfo,
  SourceSettings,
  UsageBucket,
  UsageData,
  UsageEvent,
} from './types.ts';
export { hasSettings } from './types.ts';
