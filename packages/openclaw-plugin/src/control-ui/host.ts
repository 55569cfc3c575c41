// The slice of OpenClaw's browser contract (`openclaw/plugin-sdk/control-ui`, checked against
// 2026.9.6) that the Token Discovery page uses. Typed here so the workspace need not install the
// host, and the page's bundle imports nothing from it.

/** A function that releases what a registration holds. */
export type ControlUiDisposer = () => void;

/** What the signed-in operator may do. */
export interface ControlUiConnection {
  readonly connected: boolean;
  readonly canRead: boolean;
  readonly canWrite: boolean;
  readonly canAdmin: boolean;
}

/** What a mounted view receives. */
export interface ControlUiViewContext {
  readonly host: ControlUiHost;
  readonly signal: AbortSignal;
  readonly props: Readonly<Record<string, string>>;
  readonly presented: boolean;
}

/** A mounted view's handle. */
export interface ControlUiViewHandle {
  update?: (context: ControlUiViewContext) => void;
  focus?: () => void;
  dispose?: ControlUiDisposer;
}

/** A plugin page. */
export interface ControlUiPage {
  id: string;
  label: string;
  mount: (container: HTMLElement, context: ControlUiViewContext) => ControlUiViewHandle | undefined;
}

/** A sidebar destination. */
export interface ControlUiNavigationItem {
  id: string;
  label: string;
  page: { id: string };
  icon?: string;
  order?: number;
}

/** The host object handed to `activate`. */
export interface ControlUiHost {
  readonly apiVersion: 1;
  readonly pluginId: string;
  readonly connection: ControlUiConnection;
  /** A gateway RPC over the operator's own connection, with that operator's scopes. */
  request<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  onEvent(event: string, listener: (payload: unknown) => void): ControlUiDisposer;
  subscribe(listener: () => void): ControlUiDisposer;
  ui: {
    registerPage(page: ControlUiPage): ControlUiDisposer;
    registerNavigation(item: ControlUiNavigationItem): ControlUiDisposer;
  };
}

/** A native Control UI plugin: its manifest id and its activation. */
export interface ControlUiPlugin {
  id: string;
  activate(host: ControlUiHost): ControlUiDisposer | undefined | Promise<ControlUiDisposer | undefined>;
}

/**
 * Declares a native Control UI plugin. The SDK's `defineControlUiPlugin` is this identity
 * function (2026.9.6); a local copy keeps the browser bundle free of imports from the host.
 */
export function defineControlUiPlugin(plugin: ControlUiPlugin): ControlUiPlugin {
  return plugin;
}
