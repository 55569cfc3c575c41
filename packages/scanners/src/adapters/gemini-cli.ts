import { SourceCollector } from '../collector.ts';
import type { SourceAdapter, StoreFile } from '../types.ts';

/** Gemini CLI (stub: to be implemented). */
export const geminiCliAdapter: SourceAdapter = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  loginHint: '',
  files(_ctx): StoreFile[] {
    return [];
  },
  async scan(ctx) {
    return new SourceCollector('gemini-cli', ctx).result();
  },
};
