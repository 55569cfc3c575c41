export { anthropicApiKeyValidator } from './anthropic.ts';
export { chatgptLoginValidator } from './chatgpt.ts';
export { claudeOAuthValidator } from './claude-oauth.ts';
export { dashscopeValidator } from './dashscope.ts';
export { deepseekValidator } from './deepseek.ts';
export type { EndpointId, EndpointSpec } from './endpoints.ts';
export { ENDPOINT_IDS, ENDPOINTS } from './endpoints.ts';
export {
  DEFAULT_PER_HOST_CONCURRENCY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  VALIDATORS,
  validateCredential,
  validateCredentials,
  validatorFor,
} from './engine.ts';
export { geminiApiKeyValidator } from './gemini.ts';
export { githubCopilotValidator } from './github-copilot.ts';
export { googleOAuthValidator } from './google-oauth.ts';
export type { HttpClientOptions } from './http.ts';
export { httpRequest, MAX_BODY_BYTES } from './http.ts';
export { kimiCodeValidator } from './kimi.ts';
export { HostLimiter } from './limiter.ts';
export { moonshotValidator } from './moonshot.ts';
export { openaiApiKeyValidator } from './openai.ts';
export { openrouterValidator } from './openrouter.ts';
export { noProxyMatches, ProxyDispatchers, proxyFor } from './proxy.ts';
export { qwenPortalBase, qwenPortalValidator } from './qwen-portal.ts';
export { ALLOW_INSECURE_ENV, isLoopbackHost } from './transport.ts';
export type {
  CheckContext,
  CheckOutcome,
  HttpAnswer,
  HttpFailure,
  HttpOutcome,
  HttpRequest,
  ValidateOptions,
  ValidationProgress,
  ValidationWarning,
  Validator,
} from './types.ts';
