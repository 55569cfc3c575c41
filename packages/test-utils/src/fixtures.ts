export * as claude from './fixtures/claude.ts';
export * as codex from './fixtures/codex.ts';
export * as environment from './fixtures/environment.ts';
export * as gemini from './fixtures/gemini.ts';
export * as kimiCli from './fixtures/kimi-cli.ts';
export * as kimiCode from './fixtures/kimi-code.ts';
export * as opencode from './fixtures/opencode.ts';
export * as qwen from './fixtures/qwen.ts';
export type { ExpectedCredential } from './fixtures/types.ts';
