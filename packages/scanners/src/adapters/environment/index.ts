import type { ProviderId } from '@ctd/core';
import { SourceCollector } from '../../collector.ts';
import type { SourceAdapter, StoreFile } from '../../types.ts';
import { KnownProvider } from '../providers.ts';

/** Source id of the environment adapter. */
export const ENVIRONMENT_SOURCE = 'environment' as const;

/** One provider key variable this adapter reads. */
export interface EnvironmentKey {
  /** The variable's name. */
  readonly variable: string;
  /** The OpenClaw provider id its key belongs to. */
  readonly provider: ProviderId;
  /** Human label. */
  readonly label: string;
  /** A variable that, when set, says which API base the key is meant for. */
  readonly baseUrlVariable?: string;
}

/**
 * The provider keys read from the process environment: well-known names that no single CLI owns
 * and whose provider is unambiguous. Variables a CLI adapter reads (GEMINI_API_KEY,
 * DASHSCOPE_API_KEY, KIMI_API_KEY, ANTHROPIC_API_KEY, CODEX_API_KEY, …) are left to that adapter,
 * so each credential has one source. Generic tokens (GITHUB_TOKEN, HF_TOKEN) are left out: they
 * grant far more than model access.
 */
export const ENVIRONMENT_KEYS: readonly EnvironmentKey[] = [
  {
    variable: 'OPENAI_API_KEY',
    provider: KnownProvider.openai,
    label: 'OpenAI API key',
    baseUrlVariable: 'OPENAI_BASE_URL',
  },
  { variable: 'MOONSHOT_API_KEY', provider: KnownProvider.moonshot, label: 'Moonshot API key' },
  { variable: 'KIMICODE_API_KEY', provider: KnownProvider.kimi, label: 'Kimi Code API key' },
  { variable: 'OPENROUTER_API_KEY', provider: KnownProvider.openrouter, label: 'OpenRouter API key' },
  { variable: 'DEEPSEEK_API_KEY', provider: KnownProvider.deepseek, label: 'DeepSeek API key' },
  { variable: 'QWEN_API_KEY', provider: KnownProvider.qwen, label: 'Qwen (Model Studio) API key' },
  { variable: 'MODELSTUDIO_API_KEY', provider: KnownProvider.qwen, label: 'Qwen (Model Studio) API key' },
  { variable: 'MISTRAL_API_KEY', provider: 'mistral', label: 'Mistral API key' },
  { variable: 'GROQ_API_KEY', provider: 'groq', label: 'Groq API key' },
  { variable: 'XAI_API_KEY', provider: 'xai', label: 'xAI API key' },
  { variable: 'TOGETHER_API_KEY', provider: 'together', label: 'Together AI API key' },
  { variable: 'FIREWORKS_API_KEY', provider: 'fireworks', label: 'Fireworks AI API key' },
  { variable: 'MINIMAX_API_KEY', provider: 'minimax', label: 'MiniMax API key' },
  { variable: 'ZAI_API_KEY', provider: 'zai', label: 'Z.AI API key' },
  { variable: 'Z_AI_API_KEY', provider: 'zai', label: 'Z.AI API key' },
];

/**
 * Provider keys in the process environment that no single CLI owns (`OPENAI_API_KEY`,
 * `MOONSHOT_API_KEY`, `OPENROUTER_API_KEY`, …; see {@link ENVIRONMENT_KEYS}). Reads no files.
 */
export const environmentAdapter: SourceAdapter = {
  id: ENVIRONMENT_SOURCE,
  displayName: 'Environment variables',
  aliases: ['env'],
  defaultPriority: 7,
  login: null,
  // Not a CLI: a re-login hint offers the most common provider's key page.
  loginProvider: KnownProvider.openai,
  providers: {
    ...Object.fromEntries(ENVIRONMENT_KEYS.map((k) => [k.provider, {}])),
    [KnownProvider.openrouter]: { keyPage: 'https://openrouter.ai/settings/keys' },
    [KnownProvider.deepseek]: { keyPage: 'https://platform.deepseek.com/api_keys' },
  },
  loginHint:
    'export a provider key such as OPENAI_API_KEY, MOONSHOT_API_KEY or OPENROUTER_API_KEY in your shell',

  files(): StoreFile[] {
    return [];
  },

  async scan(ctx) {
    const out = new SourceCollector(environmentAdapter, ctx);
    for (const { variable, provider, label, baseUrlVariable } of ENVIRONMENT_KEYS) {
      const key = out.env(variable);
      if (!key) continue;
      const baseUrl = baseUrlVariable ? ctx.env[baseUrlVariable]?.trim() || undefined : undefined;
      out.found({
        provider,
        kind: 'api_key',
        label,
        secret: key,
        origin: { type: 'env', variable },
        baseUrl,
      });
      out.checked(`$${variable}`, 'found', baseUrl ? `set (with ${baseUrlVariable})` : 'set');
    }
    return out.result();
  },
};
