/**
 * Well-known provider ids. They follow OpenClaw 2026.9.6 where OpenClaw has a provider
 * (`openai`, `google`, `qwen`, `kimi`, `moonshot`, `anthropic`, `openrouter`, …). Two logins
 * have no OpenClaw provider and get ids of their own: `google-gemini-cli` (Gemini CLI's Google
 * OAuth for Code Assist) and `qwen-portal` (the retired Qwen portal OAuth). opencode entries keep
 * their own provider id, so `ProviderId` stays an open string.
 *
 * Only adapters and the per-provider validators name providers; everything else derives from them.
 */
export const KnownProvider = {
  openai: 'openai',
  google: 'google',
  googleGeminiCli: 'google-gemini-cli',
  qwen: 'qwen',
  qwenPortal: 'qwen-portal',
  kimi: 'kimi',
  moonshot: 'moonshot',
  anthropic: 'anthropic',
  openrouter: 'openrouter',
  deepseek: 'deepseek',
} as const;
