// The slice of OpenClaw's plugin API this plugin uses (checked against openclaw 2026.9.6; see
// docs/openclaw-integration-notes.md). Typed here so the workspace need not install the 800 MB host.

/** A gateway RPC error, as OpenClaw's `respond(false, …)` takes it. */
export interface GatewayErrorShape {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
}

/** What a gateway method handler receives. */
export interface GatewayMethodContext {
  params: Record<string, unknown> | undefined;
  /** The calling operator's connection (null for an internal call); its scopes as granted. */
  client?: { connect?: { scopes?: readonly string[] } } | null;
  respond(ok: boolean, payload?: unknown, error?: GatewayErrorShape): void;
}

/** The logger OpenClaw hands plugins. */
export interface PluginLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** A commander command, as far as this plugin uses it. */
export interface CliCommand {
  command(name: string): CliCommand;
  description(text: string): CliCommand;
  argument(name: string, description?: string): CliCommand;
  option(flags: string, description?: string): CliCommand;
  action(fn: (...args: unknown[]) => unknown): CliCommand;
}

/** A config draft or snapshot: the parts this plugin reads and writes. */
export interface HostConfig {
  auth?: { profiles?: Record<string, { provider: string; mode: string }>; order?: Record<string, string[]> };
  plugins?: {
    enabled?: boolean;
    allow?: string[];
    deny?: string[];
    entries?: Record<string, { enabled?: boolean; config?: unknown }>;
  };
  [key: string]: unknown;
}

/** `api.runtime.config` in 2026.9.6. */
export interface RuntimeConfigApi {
  current?(): HostConfig;
  mutateConfigFile(params: {
    afterWrite: { mode: 'auto' };
    mutate(draft: HostConfig): void;
  }): Promise<unknown>;
}

/** The plugin API object passed to `register(api)`. */
export interface PluginApi {
  id: string;
  registrationMode: string;
  config: HostConfig;
  pluginConfig?: Record<string, unknown>;
  logger: PluginLogger;
  runtime?: { config?: RuntimeConfigApi; agent?: unknown };
  /** OpenClaw's typed hooks (`model_call_started`, `model_call_ended`, `llm_output`, …). */
  on?(hookName: string, handler: (event: Record<string, unknown>, ctx?: unknown) => unknown): void;
  registerGatewayMethod(
    method: string,
    handler: (ctx: GatewayMethodContext) => Promise<void> | void,
    opts: { scope: 'operator.read' | 'operator.write' },
  ): void;
  registerService(service: {
    id: string;
    start(ctx: {
      logger: PluginLogger;
      /** Broadcasts `plugin.<id>.<event>` to operators (OpenClaw 2026.9.6; absent in older hosts). */
      gatewayEvents?: {
        emit(
          event: string,
          payload: unknown,
          opts: { scope: 'operator.read' | 'operator.write' | 'operator.admin' },
        ): void;
      };
    }): void | Promise<void>;
    stop?(): void | Promise<void>;
  }): void;
  registerCli(
    registrar: (ctx: { program: CliCommand; logger: PluginLogger }) => void | Promise<void>,
    opts: { descriptors: { name: string; description: string; hasSubcommands: boolean }[] },
  ): void;
}
