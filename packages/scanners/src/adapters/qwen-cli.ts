import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** Qwen Code (stub: to be implemented). */
export const qwenCliAdapter: SourceAdapter = {
  id: 'qwen-cli',
  displayName: 'Qwen Code',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('qwen-cli', ctx).result();
  },
};
