// Shared by the rotation e2e and the turn-latency bench: OpenClaw's `openai` provider pointed at a
// fake OpenAI-compatible endpoint (its base-URL setting), and one agent turn through the gateway.
// Runs under vitest and plain Node (type stripping): erasable TypeScript only.
import { randomUUID } from 'node:crypto';
import { type GatewayClient, PLUGIN_ID, type Sandbox } from './gateway.ts';

/** The model OpenClaw's agent runs on: `openai/fake-model`, served by the fake. */
export const FAKE_MODEL = 'openai/fake-model';

/**
 * Writes the config: the plugin (enabled or not, with this config; `llm_output` allowed so tokens
 * are counted), `models.providers.openai` at the fake with one text model, the agent's default model,
 * and `auth.order.openai` when given (the `priority` strategy's order).
 */
export async function configureFakeOpenAI(
  sandbox: Sandbox,
  baseUrl: string,
  pluginConfig: Record<string, unknown>,
  options: { enabled?: boolean; order?: readonly string[] } = {},
): Promise<void> {
  await sandbox.configurePlugin(pluginConfig, { enabled: options.enabled ?? true });
  const config = await sandbox.readConfig();
  config.models = {
    mode: 'merge',
    providers: {
      openai: {
        baseUrl,
        api: 'openai-completions',
        models: [
          {
            id: 'fake-model',
            name: 'Fake model',
            reasoning: false,
            input: ['text'],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            contextWindow: 128000,
            maxTokens: 1024,
          },
        ],
      },
    },
  };
  config.agents = { defaults: { model: { primary: FAKE_MODEL } } };
  const auth = (config.auth ?? {}) as { order?: Record<string, string[]> };
  if (options.order) auth.order = { ...auth.order, openai: [...options.order] };
  else if (auth.order) delete auth.order.openai;
  config.auth = auth;
  const plugins = config.plugins as { entries: Record<string, Record<string, unknown>> };
  // llm_output (tokens in and out) needs conversation access for a plugin that is not bundled.
  plugins.entries[PLUGIN_ID] = { ...plugins.entries[PLUGIN_ID], hooks: { allowConversationAccess: true } };
  await sandbox.writeConfig(config);
}

/** The outcome of one agent turn. */
export interface TurnResult {
  readonly status: string;
  /** From the `agent` call to `agent.wait`'s answer, in ms. */
  readonly ms: number;
}

/**
 * One agent turn of a session through the gateway (`agent`, then `agent.wait`).
 *
 * @param timeoutMs - how long `agent.wait` may take
 */
export async function agentTurn(
  client: GatewayClient,
  sessionKey: string,
  message: string,
  timeoutMs = 180_000,
): Promise<TurnResult> {
  const started = performance.now();
  const accepted = await client.call<{ runId: string }>('agent', {
    message,
    sessionKey,
    idempotencyKey: randomUUID(),
  });
  if (!accepted.ok || !accepted.payload?.runId) {
    return { status: `agent failed: ${accepted.error?.code ?? 'no runId'}`, ms: performance.now() - started };
  }
  const waited = await client.call<{ status: string }>(
    'agent.wait',
    { runId: accepted.payload.runId, timeoutMs },
    timeoutMs + 10_000,
  );
  return {
    status: waited.ok ? (waited.payload?.status ?? 'unknown') : `wait failed: ${waited.error?.code}`,
    ms: performance.now() - started,
  };
}
