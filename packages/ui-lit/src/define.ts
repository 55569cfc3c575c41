// The one entry with a side effect: it registers every element under its `ctd-` tag. Importing
// the main entry registers nothing (`sideEffects` names only this file).
import { CtdRefreshModal } from './components/refresh-modal/refresh-modal.ts';
import { CtdScanButton } from './components/scan-button/scan-button.ts';
import { CtdSettingsForm } from './components/settings-form/settings-form.ts';
import { CtdStatusBadge } from './components/status-badge/status-badge.ts';
import { CtdTokenDiscovery } from './components/token-discovery/token-discovery.ts';
import { CtdTokenPanel } from './components/token-panel/token-panel.ts';
import { CtdUsageChart } from './components/usage-chart/usage-chart.ts';

/** Every element of this package by its tag name. */
export const CTD_ELEMENTS = {
  'ctd-status-badge': CtdStatusBadge,
  'ctd-token-panel': CtdTokenPanel,
  'ctd-refresh-modal': CtdRefreshModal,
  'ctd-scan-button': CtdScanButton,
  'ctd-settings-form': CtdSettingsForm,
  'ctd-usage-chart': CtdUsageChart,
  'ctd-token-discovery': CtdTokenDiscovery,
} as const;

/**
 * Registers every element (skipping a tag already defined, e.g. by a second copy on the page).
 *
 * @param registry - where to define them @default customElements
 */
export function defineTokenDiscoveryElements(registry: CustomElementRegistry = customElements): void {
  for (const [tag, ctor] of Object.entries(CTD_ELEMENTS)) {
    if (!registry.get(tag)) registry.define(tag, ctor);
  }
}

defineTokenDiscoveryElements();
