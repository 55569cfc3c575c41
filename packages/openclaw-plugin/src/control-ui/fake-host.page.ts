// Test page: a fake Control UI host (the operator's scopes, host.request over the fake client of
// @ctd/ui-lit's tests) that activates this plugin's module as OpenClaw would. Test-only.
import { createFakeClient } from '../../../ui-lit/src/testing/fake-client.ts';
import type { ControlUiHost, ControlUiPage } from './host.ts';
import plugin from './index.ts';

declare global {
  interface Window {
    ctdHost: {
      requests: string[];
      pages: ControlUiPage[];
      nav: string[];
      mount(canWrite: boolean): Promise<void>;
      /** Delivers a gateway event to the page's listeners. */
      emit(event: string): void;
    };
  }
}

const requests: string[] = [];
const pages: ControlUiPage[] = [];
const nav: string[] = [];
const eventListeners = new Map<string, Set<(payload: unknown) => void>>();

window.ctdHost = {
  requests,
  pages,
  nav,
  emit(event) {
    for (const l of eventListeners.get(event) ?? []) l({});
  },
  async mount(canWrite) {
    const { client } = createFakeClient();
    const listeners = new Set<() => void>();
    const host: ControlUiHost = {
      apiVersion: 1,
      pluginId: 'cli-token-discovery',
      connection: { connected: true, canRead: true, canWrite, canAdmin: false },
      async request<T>(method: string, params?: Record<string, unknown>): Promise<T> {
        requests.push(method);
        const [ns, op] = method.split('.');
        const fn = (client as unknown as Record<string, (p: unknown) => Promise<unknown>>)[op ?? ''];
        if (ns !== 'tokenDiscovery' || !fn)
          throw { code: 'INVALID_REQUEST', message: `unknown method ${method}` };
        // The gateway refuses a write without operator.write.
        if (!canWrite && ['scan', 'clearHistory', 'importManual', 'setConfig'].includes(op ?? '')) {
          throw { code: 'FORBIDDEN', message: 'missing scope: operator.write' };
        }
        return (await fn.call(client, params)) as T;
      },
      onEvent: (event, listener) => {
        const set = eventListeners.get(event) ?? new Set();
        set.add(listener);
        eventListeners.set(event, set);
        return () => set.delete(listener);
      },
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      ui: {
        registerPage: (p) => {
          pages.push(p);
          return () => {};
        },
        registerNavigation: (n) => {
          nav.push(n.id);
          return () => {};
        },
      },
    };
    await plugin.activate(host);
    const container = document.createElement('div');
    document.body.append(container);
    pages[0]!.mount(container, { host, signal: new AbortController().signal, props: {}, presented: true });
  },
};
