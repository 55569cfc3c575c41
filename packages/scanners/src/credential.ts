import type { DiscoveredCredential } from '@ctd/core';
import { ALL_ADAPTERS } from './adapters/index.ts';
import { adapterById } from './adapters/registry.ts';
import { buildCredential, type CredentialDraft } from './draft.ts';
import type { SourceFacts } from './types.ts';

export type { CredentialDraft } from './draft.ts';

/**
 * Builds a discovered credential outside a scan (a pasted key, a test): stable id, hash, preview,
 * and the policy, key page and login command from the adapter's facts, then from the built-in
 * adapter list. The secrets are non-enumerable, so they never serialize.
 *
 * @param draft - the credential's facts and secret
 * @param adapter - the adapter it belongs to; looked up by `draft.source` when omitted
 * @example
 * makeCredential({ source: 'environment', provider: 'openai', kind: 'api_key', label: 'API key',
 *   secret: key, origin: { type: 'manual', via: 'import-manual' } });
 */
export function makeCredential(draft: CredentialDraft, adapter?: SourceFacts): DiscoveredCredential {
  return buildCredential(draft, adapter ?? adapterById(draft.source), ALL_ADAPTERS);
}
