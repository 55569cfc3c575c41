export { startFakeAnthropic } from './anthropic.ts';
export { startFakeChatGpt } from './chatgpt.ts';
export { startFakeDashScope } from './dashscope.ts';
export { startFakeDeepSeek } from './deepseek.ts';
export { startFakeGitHubCopilot } from './github-copilot.ts';
export { startFakeGemini, startFakeGoogleOAuth } from './google.ts';
export { startFakeKimi } from './kimi.ts';
export { type FakeLeakyProvider, type LeakStyle, startFakeLeakyProvider } from './leaky.ts';
export { startFakeMoonshot } from './moonshot.ts';
export { startFakeOpenAI } from './openai.ts';
export {
  type ChatBehavior,
  type ChatRequestRecord,
  type FakeOpenAICompatible,
  type FakeOpenAICompatibleOptions,
  startFakeOpenAICompatible,
} from './openai-compatible.ts';
export { startFakeOpenRouter } from './openrouter.ts';
export {
  bearerToken,
  type FakeBehavior,
  type FakeProvider,
  type FakeProviderOptions,
  json,
  masked,
  modelList,
  type ProviderSpec,
  type RouteHandler,
  startFakeProvider,
} from './provider.ts';
export { type FakeProxy, type FakeProxyOptions, startFakeProxy } from './proxy.ts';
export {
  type FakeAction,
  type FakeReply,
  type FakeServer,
  type FakeServerOptions,
  type RecordedRequest,
  startFakeServer,
} from './server.ts';
