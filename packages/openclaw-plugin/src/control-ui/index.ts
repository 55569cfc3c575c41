// The plugin's native Control UI module (`package.json` `openclaw.controlUi`): a "Token
// Discovery" page and its sidebar entry, rendering @ctd/ui-lit's `<ctd-token-discovery>` over the
// gateway methods. `openclaw plugins build` bundles it with Lit into one self-contained file.
import { defineTokenDiscoveryElements } from '@ctd/ui-lit/define';
import { createGatewayClient } from './gateway-client.ts';
import { type ControlUiHost, defineControlUiPlugin } from './host.ts';

const PLUGIN_ID = 'cli-token-discovery';
/** The page id (and route segment). */
export const PAGE_ID = 'token-discovery';
/** Reload the status this often when the host sends no event about it. */
const POLL_MS = 30_000;
/**
 * Gateway events after which the page reloads: the plugin's own (`GATEWAY_EVENTS` in
 * ../background.ts), broadcast by OpenClaw as `plugin.<id>.<name>` to `operator.read`.
 */
const LIVE_EVENTS = ['expiry', 'refreshed', 'needs-login', 'reimported'].map(
  (e) => `plugin.${PLUGIN_ID}.${e}`,
);

function mountPage(container: HTMLElement, host: ControlUiHost, signal: AbortSignal) {
  defineTokenDiscoveryElements();
  const page = document.createElement('ctd-token-discovery');
  page.client = createGatewayClient(host);
  // Read-only operators see everything and no button that would be refused.
  page.readOnly = !host.connection.canWrite;
  page.pollMs = POLL_MS;
  page.subscribe = (onChange) => {
    const offs = LIVE_EVENTS.map((e) => host.onEvent(e, onChange));
    return () => {
      for (const off of offs) off();
    };
  };
  container.append(page);
  // The connection's rights can change (a re-login): follow them.
  const off = host.subscribe(() => {
    page.readOnly = !host.connection.canWrite;
  });
  const dispose = () => {
    off();
    page.remove();
  };
  signal.addEventListener('abort', dispose, { once: true });
  return {
    update: (ctx: { presented: boolean }) => {
      page.pollMs = ctx.presented ? POLL_MS : 0;
    },
    focus: () => page.focus(),
    dispose,
  };
}

export default defineControlUiPlugin({
  id: PLUGIN_ID,
  activate(host) {
    const offPage = host.ui.registerPage({
      id: PAGE_ID,
      label: 'Token Discovery',
      mount: (container, ctx) => mountPage(container, ctx.host ?? host, ctx.signal),
    });
    const offNav = host.ui.registerNavigation({
      id: PAGE_ID,
      label: 'Token Discovery',
      page: { id: PAGE_ID },
      icon: 'key',
    });
    return () => {
      offNav();
      offPage();
    };
  },
});
