import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** opencode (stub: to be implemented). */
export const opencodeAdapter: SourceAdapter = {
  id: 'opencode',
  displayName: 'opencode',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('opencode', ctx).result();
  },
};
