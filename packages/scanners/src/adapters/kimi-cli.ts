import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** Kimi CLI (stub: to be implemented). */
export const kimiCliAdapter: SourceAdapter = {
  id: 'kimi-cli',
  displayName: 'Kimi CLI',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('kimi-cli', ctx).result();
  },
};
