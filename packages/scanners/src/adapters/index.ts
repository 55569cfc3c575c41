// The adapter list: the one place outside the adapter folders that names the CLIs. Adding a CLI is
// one folder under adapters/ and one line here; every per-CLI table is derived from this list.
import type { SourceId } from '@ctd/core';
import type { SourceAdapter } from '../types.ts';
import { claudeCodeAdapter } from './claude-code/index.ts';
import { codexCliAdapter } from './codex-cli/index.ts';
import { environmentAdapter } from './environment/index.ts';
import { geminiCliAdapter } from './gemini-cli/index.ts';
import { githubCopilotCliAdapter } from './github-copilot-cli/index.ts';
import { kimiCliAdapter } from './kimi-cli/index.ts';
import { kimiCodeAdapter } from './kimi-code/index.ts';
import { opencodeAdapter } from './opencode/index.ts';
import { qwenCliAdapter } from './qwen-cli/index.ts';

/**
 * Every built-in adapter, in display order. Where two adapters state a fact about the same
 * provider (a key page, a policy), the first one in this list wins.
 */
export const ALL_ADAPTERS: readonly SourceAdapter[] = [
  codexCliAdapter,
  geminiCliAdapter,
  qwenCliAdapter,
  kimiCliAdapter,
  kimiCodeAdapter,
  claudeCodeAdapter,
  opencodeAdapter,
  githubCopilotCliAdapter,
  environmentAdapter,
];

/**
 * The source ids of the built-in adapters, in list order (a non-empty tuple, so it can feed
 * `z.enum`).
 */
export const SOURCE_IDS: readonly [SourceId, ...SourceId[]] = ALL_ADAPTERS.map((a) => a.id) as [
  SourceId,
  ...SourceId[],
];
