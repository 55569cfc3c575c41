import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** Claude Code (stub: to be implemented). */
export const claudeCodeAdapter: SourceAdapter = {
  id: 'claude-code',
  displayName: 'Claude Code',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('claude-code', ctx).result();
  },
};
