import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** Kimi Code CLI (stub: to be implemented). */
export const kimiCodeAdapter: SourceAdapter = {
  id: 'kimi-code',
  displayName: 'Kimi Code CLI',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('kimi-code', ctx).result();
  },
};
