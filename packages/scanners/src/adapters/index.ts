import type { SourceAdapter } from '../types.ts';
import { claudeCodeAdapter } from './claude-code.ts';
import { codexCliAdapter } from './codex-cli.ts';
import { environmentAdapter } from './environment.ts';
import { geminiCliAdapter } from './gemini-cli.ts';
import { kimiCliAdapter } from './kimi-cli.ts';
import { kimiCodeAdapter } from './kimi-code.ts';
import { opencodeAdapter } from './opencode.ts';
import { qwenCliAdapter } from './qwen-cli.ts';

export {
  claudeCodeAdapter,
  codexCliAdapter,
  environmentAdapter,
  geminiCliAdapter,
  kimiCliAdapter,
  kimiCodeAdapter,
  opencodeAdapter,
  qwenCliAdapter,
};

/** Every built-in adapter, in display order. */
export const ALL_ADAPTERS: readonly SourceAdapter[] = [
  codexCliAdapter,
  geminiCliAdapter,
  qwenCliAdapter,
  kimiCliAdapter,
  kimiCodeAdapter,
  claudeCodeAdapter,
  opencodeAdapter,
  environmentAdapter,
];
