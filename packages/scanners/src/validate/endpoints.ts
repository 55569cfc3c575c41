/** One endpoint a validator calls: its default base URL and the variable that overrides it. */
export interface EndpointSpec {
  /** The built-in base URL (no trailing slash). */
  readonly defaultUrl: string;
  /** The environment variable that overrides it. */
  readonly envVar: string;
  /** What is checked there. */
  readonly description: string;
}

/**
 * Every endpoint the validators call. Each can be overridden in options (`baseUrls`) or by its
 * `CTD_<ID>_BASE_URL` variable, so tests and air-gapped users can point checks at their own
 * servers. Keep this table and `docs/validation.md` in step.
 */
export const ENDPOINTS = {
  openai: {
    defaultUrl: 'https://api.openai.com/v1',
    envVar: 'CTD_OPENAI_BASE_URL',
    description: 'OpenAI API key: GET /models',
  },
  chatgpt: {
    defaultUrl: 'https://chatgpt.com/backend-api',
    envVar: 'CTD_CHATGPT_BASE_URL',
    description: 'ChatGPT (Codex) login: GET /wham/usage',
  },
  google: {
    defaultUrl: 'https://generativelanguage.googleapis.com/v1beta',
    envVar: 'CTD_GOOGLE_BASE_URL',
    description: 'Gemini API key: GET /models',
  },
  'google-gemini-cli': {
    defaultUrl: 'https://oauth2.googleapis.com',
    envVar: 'CTD_GOOGLE_GEMINI_CLI_BASE_URL',
    description: 'Google OAuth access token (Gemini CLI): GET /tokeninfo',
  },
  qwen: {
    defaultUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    envVar: 'CTD_QWEN_BASE_URL',
    description: 'Model Studio (DashScope) key, China region: GET /models',
  },
  'qwen-intl': {
    defaultUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    envVar: 'CTD_QWEN_INTL_BASE_URL',
    description: 'Model Studio (DashScope) key, international region: GET /models',
  },
  'qwen-coding': {
    defaultUrl: 'https://coding.dashscope.aliyuncs.com/v1',
    envVar: 'CTD_QWEN_CODING_BASE_URL',
    description: 'Coding Plan key, China region: GET /models',
  },
  'qwen-coding-intl': {
    defaultUrl: 'https://coding-intl.dashscope.aliyuncs.com/v1',
    envVar: 'CTD_QWEN_CODING_INTL_BASE_URL',
    description: 'Coding Plan key, international region: GET /models',
  },
  'qwen-portal': {
    defaultUrl: 'https://portal.qwen.ai/v1',
    envVar: 'CTD_QWEN_PORTAL_BASE_URL',
    description: 'Qwen OAuth login: GET /models at the login’s resource_url',
  },
  kimi: {
    defaultUrl: 'https://api.kimi.com/coding/v1',
    envVar: 'CTD_KIMI_BASE_URL',
    description: 'Kimi Code login or key: GET /models, then GET /usages',
  },
  moonshot: {
    defaultUrl: 'https://api.moonshot.ai/v1',
    envVar: 'CTD_MOONSHOT_BASE_URL',
    description: 'Moonshot open-platform key (global): GET /models, then GET /users/me/balance',
  },
  'moonshot-cn': {
    defaultUrl: 'https://api.moonshot.cn/v1',
    envVar: 'CTD_MOONSHOT_CN_BASE_URL',
    description: 'Moonshot open-platform key (China): GET /models, then GET /users/me/balance',
  },
  anthropic: {
    defaultUrl: 'https://api.anthropic.com',
    envVar: 'CTD_ANTHROPIC_BASE_URL',
    description: 'Anthropic API key: GET /v1/models; Claude login: GET /api/oauth/usage',
  },
  openrouter: {
    defaultUrl: 'https://openrouter.ai/api/v1',
    envVar: 'CTD_OPENROUTER_BASE_URL',
    description: 'OpenRouter key: GET /key',
  },
  deepseek: {
    defaultUrl: 'https://api.deepseek.com',
    envVar: 'CTD_DEEPSEEK_BASE_URL',
    description: 'DeepSeek key: GET /models, then GET /user/balance',
  },
  'github-copilot': {
    defaultUrl: 'https://api.github.com',
    envVar: 'CTD_GITHUB_COPILOT_BASE_URL',
    description: 'GitHub Copilot: GET /copilot_internal/user',
  },
} as const satisfies Record<string, EndpointSpec>;

/** Id of an endpoint in {@link ENDPOINTS}. */
export type EndpointId = keyof typeof ENDPOINTS;

/** Every endpoint id, in documentation order. */
export const ENDPOINT_IDS: readonly EndpointId[] = Object.keys(ENDPOINTS) as EndpointId[];

/** Drops trailing slashes so that `${base}/models` never doubles one. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The caller's override for an endpoint: `baseUrls[id]` first, then `CTD_<ID>_BASE_URL`.
 *
 * @param id - the endpoint
 * @param baseUrls - overrides from options
 * @param env - the environment given by the caller
 */
export function endpointOverride(
  id: EndpointId,
  baseUrls: Partial<Record<EndpointId, string>> | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const fromOptions = baseUrls?.[id]?.trim();
  if (fromOptions) return trimBase(fromOptions);
  const fromEnv = env[ENDPOINTS[id].envVar]?.trim();
  return fromEnv ? trimBase(fromEnv) : undefined;
}

/**
 * Whether a URL's host is one of the given domains or under one of them.
 *
 * @param url - an absolute URL
 * @param domains - registrable domains such as `openai.com`
 */
export function hostUnder(url: string, domains: readonly string[]): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}

/** The host of a URL, or `?` when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
