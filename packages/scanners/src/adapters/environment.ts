import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** Environment variables (stub: to be implemented). */
export const environmentAdapter: SourceAdapter = {
  id: 'environment',
  displayName: 'Environment variables',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('environment', ctx).result();
  },
};
